// Names the JIT-compiled JavaScript in a callgrind profile. Cachegrind lumps V8's generated
// code into one "???" entry (two thirds of a parse); callgrind with --dump-instr=yes keeps each
// instruction's address, and node --perf-basic-prof writes which function owns which address
// range (/tmp/perf-<pid>.map), so the two together give instructions per JS function.
//
//   valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file=cg.out \
//     node --perf-basic-prof --predictable dist/bench/parser-bench.js --count 30000
//   node dist/bench/callgrind-jit.js cg.out /tmp/perf-<pid from cg.out>.map 130000
//
// The last argument divides every count (parser-bench runs 100,000 warm-up parses before the
// counted ones, so 130,000 parses in all for --count 30000). Self cost only: a function
// TurboFan inlined is counted in its caller.
import { readFileSync } from 'node:fs';

const [profilePath, mapPath, divisorArg] = process.argv.slice(2);
if (!profilePath || !mapPath) {
  console.error('usage: node dist/bench/callgrind-jit.js <callgrind.out> <perf-PID.map> [divisor]');
  process.exit(2);
}
const divisor = Number(divisorArg ?? 1);

// perf map lines: "<start hex> <size hex> <name>".
const ranges = readFileSync(mapPath, 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => {
    const [start, size, ...name] = line.split(' ');
    return { start: parseInt(start, 16), end: parseInt(start, 16) + parseInt(size, 16), name: name.join(' ') };
  })
  .sort((a, b) => a.start - b.start);

function jitName(address: number): string | undefined {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid].start <= address) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 && address < ranges[hi].end ? ranges[hi].name : undefined;
}

// callgrind's format (positions: instr line): "fn=(id) name" opens a function (the name only at
// an id's first use); cost lines are "<address> <line> <Ir>", the address absolute (0x...),
// relative (+n / -n) or repeated (*); the cost line after "calls=" is a call's inclusive cost.
const names = new Map<string, string>();
const nameOf = (spec: string): string => {
  const m = /^\((\d+)\)\s*(.*)$/.exec(spec);
  if (!m) return spec;
  if (m[2]) names.set(m[1], m[2]);
  return names.get(m[1]) ?? spec;
};
const self = new Map<string, number>();
let fn = '?';
let address = 0;
let callCost = false;
let total = 0;
for (const line of readFileSync(profilePath, 'utf8').split('\n')) {
  if (line.startsWith('fn=')) fn = nameOf(line.slice(3));
  else if (line.startsWith('cfn=')) nameOf(line.slice(4));
  else if (line.startsWith('calls=')) callCost = true;
  else if (/^[0-9+*-]/.test(line)) {
    const [position, , cost] = line.split(' ');
    if (position.startsWith('0x')) address = parseInt(position, 16);
    else if (position[0] === '+') address += Number(position.slice(1));
    else if (position[0] === '-') address -= Number(position.slice(1));
    else if (position !== '*') address = Number(position);
    if (callCost) {
      callCost = false;
      continue;
    }
    if (cost === undefined) continue;
    const name = jitName(address) ?? fn;
    self.set(name, (self.get(name) ?? 0) + Number(cost));
    total += Number(cost);
  }
}
console.log(`total ${Math.round(total / divisor)}`);
for (const [name, cost] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  console.log(`${String(Math.round(cost / divisor)).padStart(10)}  ${name.slice(0, 110)}`);
}
