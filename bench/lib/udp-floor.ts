// Builds and runs bench/udp-floor.c: the machine's cost of one RTP-sized loopback datagram
// sent and received (the floor under any relay's per-packet CPU).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface UdpFloor {
  packets: number;
  bytes: number;
  sendtoUs: number;
  recvfromUs: number;
  sendmmsgUs: number;
  recvmmsgUs: number;
}

/** `root`: the repository (where bench/udp-floor.c is). Needs a C compiler (`cc`). */
export function udpFloor(root: string, packets: number): UdpFloor {
  const dir = mkdtempSync(join(tmpdir(), 'sy-udp-floor-'));
  try {
    const exe = join(dir, 'udp-floor');
    execFileSync('cc', ['-O2', '-o', exe, resolve(root, 'bench/udp-floor.c')], { stdio: ['ignore', 'ignore', 'inherit'] });
    return JSON.parse(execFileSync(exe, [String(packets)], { encoding: 'utf8' })) as UdpFloor;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
