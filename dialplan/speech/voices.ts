// Synthesized speakers for testing speech input: flite's `slt` voice (16 kHz) and espeak-ng
// (22.05 kHz), as PCM16. Used by the tests, the ASR benchmark and the test kit's "speak".
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWav, type Pcm16 } from '../audio/wav.js';

function run(command: string, args: string[], stdin?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${command} exited ${code}: ${err.trim()}`))));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}

/** `text` spoken by flite's slt voice, 16 kHz. */
export async function fliteSpeech(text: string): Promise<Pcm16> {
  const dir = await mkdtemp(join(tmpdir(), 'flite-'));
  try {
    const file = join(dir, 'out.wav');
    await run('flite', ['-voice', 'slt', '-t', text, '-o', file]);
    return parseWav(await readFile(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `text` spoken by espeak-ng, 22.05 kHz. */
export async function espeakSpeech(text: string, lang = 'en'): Promise<Pcm16> {
  return parseWav(await run('espeak-ng', ['--stdout', '--stdin', '-v', lang], text));
}
