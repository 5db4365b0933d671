// A real local SMTP server process for tests: Debian's aiosmtpd (python3-aiosmtpd, installed by
// scripts/install-peers.sh) writing every message it accepts to a Maildir we can read back;
// with `tls`, one that requires STARTTLS (smtp-tls-server.py) with a fresh self-signed
// certificate made by openssl, and AUTH over TLS only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file runs from dist/test/peers/; the Python script stays in the source tree.
const TLS_SERVER = fileURLToPath(new URL('../../../test/peers/smtp-tls-server.py', import.meta.url));

export interface TlsServerOptions {
  user: string;
  password: string;
}

/** Debian's python3, where python3-aiosmtpd is installed (another python3 may come first in PATH). */
const PYTHON = '/usr/bin/python3';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class SmtpServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly proc: ChildProcess,
    /** With `tls`: the server's self-signed certificate (PEM), for the client to trust. */
    readonly certificate?: string,
  ) {}

  static async start(tls?: TlsServerOptions): Promise<SmtpServer> {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-'));
    const port = await freePort();
    const mail = join(dir, 'mail');
    let certificate: string | undefined;
    let proc: ChildProcess;
    if (tls) {
      const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
      // A P-256 key (quick to make), valid for 127.0.0.1 (subjectAltName: Node checks the IP there).
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      certificate = readFileSync(cert, 'utf8');
      proc = spawn(PYTHON, [TLS_SERVER, '127.0.0.1', String(port), mail, cert, key, tls.user, tls.password], { stdio: ['ignore', 'ignore', 'pipe'] });
    } else {
      proc = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', mail], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    let stderr = '';
    proc.stderr!.on('data', (c) => (stderr += c));
    const server = new SmtpServer(port, dir, proc, certificate);
    // Ready once it greets a connection.
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`aiosmtpd exited: ${stderr}`);
      if (await server.greets()) return server;
      if (Date.now() > deadline) throw new Error(`aiosmtpd did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private greets(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port: this.port });
      s.once('data', (d: Buffer) => {
        s.end('QUIT\r\n');
        resolve(d.toString().startsWith('220'));
      });
      s.once('error', () => resolve(false));
    });
  }

  /** The raw messages delivered so far, oldest first. */
  messages(): string[] {
    const fresh = join(this.dir, 'mail', 'new');
    let names: string[];
    try {
      names = readdirSync(fresh);
    } catch {
      return [];
    }
    const files = names.map((n) => join(fresh, n)).sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
    return files.map((f) => readFileSync(f, 'utf8'));
  }

  /** Waits for the `count`-th message. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = this.messages();
      if (all.length >= count) return all;
      if (Date.now() > deadline) throw new Error(`only ${all.length} of ${count} messages arrived`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill();
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
