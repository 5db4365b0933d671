// Event-loop CPU per SIP datagram sent, Node's dgram against the addon's SIP UDP socket
// (engine/sip/transport/native-udp-socket.ts), to a receiver in another process that sleeps
// between datagrams as SIPp does (waking it is what a sendto pays for on this VM).
// Every --interval-ms the loop sends --per-tick datagrams of --bytes; the CPU of the main
// thread (and of the addon's sender thread) is read from /proc over --seconds, less the same
// timer without sends. Prints JSON.
// Usage: node dist/bench/sip-udp-send.js [--mode dgram|native] [--per-tick K] [--interval-ms I] [--seconds S] [--bytes B]
//   (env SWITCHYARD_MEDIA_ADDON picks another build of the addon)
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { openSipUdpSocket } from '../engine/sip/transport/native-udp-socket.js';
import { numberOption, stringOption } from './lib/argv.js';
import { clkTck, loadAverage, sleep, threadCpuTicks, threadIdByName } from './lib/sys.js';

const mode = stringOption('--mode', 'native');
if (mode !== 'dgram' && mode !== 'native') throw new Error(`--mode: dgram or native, got "${mode}"`);
const perTick = numberOption('--per-tick', 1);
const intervalMs = numberOption('--interval-ms', 2);
const seconds = numberOption('--seconds', 10);
const bytes = numberOption('--bytes', 600);

const RECEIVER = `
const s = require('node:dgram').createSocket('udp4');
let n = 0;
s.on('message', () => n++);
s.bind(0, '127.0.0.1', () => console.log(s.address().port));
process.stdin.on('end', () => { console.log(n); s.close(); });
process.stdin.resume();`;

const receiver = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines: string[] = [];
receiver.stdout.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
while (lines.length === 0) await sleep(10);
const port = Number(lines[0]);

const payload = Buffer.alloc(bytes, 0x41);
let sent = 0;
let send: () => void;
let close: () => void;
let senderTid: number | undefined;
if (mode === 'dgram') {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  send = () => socket.send(payload, port, '127.0.0.1');
  close = () => socket.close();
} else {
  const socket = openSipUdpSocket('127.0.0.1', 0, {}, { onMessage: () => {}, onSendErrors: () => {} });
  send = () => socket.send(payload, '127.0.0.1', port);
  close = () => socket.close();
  await sleep(100); // the sender thread names itself once it runs
  senderTid = threadIdByName('sy-sip-send');
}

/** Main-thread and sender-thread ticks over `seconds` of a timer that sends `k` per tick. */
async function phase(k: number): Promise<{ loop: number; sender: number }> {
  const loop0 = threadCpuTicks(process.pid) ?? 0;
  const sender0 = senderTid ? (threadCpuTicks(senderTid) ?? 0) : 0;
  const timer = setInterval(() => {
    for (let i = 0; i < k; i++) send();
    sent += k;
  }, intervalMs);
  await sleep(seconds * 1000);
  clearInterval(timer);
  return { loop: (threadCpuTicks(process.pid) ?? 0) - loop0, sender: senderTid ? (threadCpuTicks(senderTid) ?? 0) - sender0 : 0 };
}

const idle = await phase(0);
const busy = await phase(perTick);
await sleep(200);
close();
receiver.stdin.end();
await once(receiver, 'exit');
const received = Number(lines[1]);
const usPer = (ticks: number) => Math.round(((ticks / clkTck()) * 1e6) / Math.max(sent, 1) * 10) / 10;
console.log(
  JSON.stringify({
    bench: 'sip-udp-send',
    mode,
    perTick,
    intervalMs,
    bytes,
    sent,
    received,
    eventLoopUsPerDatagram: usPer(busy.loop - idle.loop),
    senderThreadUsPerDatagram: usPer(busy.sender - idle.sender),
    loadavg: loadAverage()[0],
  }),
);
