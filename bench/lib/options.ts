// Command line and environment of the SIP benchmark (arguments win over BENCH_* variables).

// In this order: the yardsticks start from the engine's B2BUA rate, and SIPp→SIPp (the
// generator's ceiling, which can only be higher than Kamailio's) from Kamailio's.
export const TARGETS = ['engine-answer', 'engine-b2bua', 'engine-b2bua-bypass', 'kamailio', 'sipp-direct'] as const;
export type TargetName = (typeof TARGETS)[number];

export interface Options {
  /** Length of one rate step (calls = rate × stepSeconds). */
  stepSeconds: number;
  /** The rate ladder, calls per second, ascending. */
  rates: number[];
  /** Hold time of every call between ACK and BYE, ms. */
  holdMs: number;
  /** Whole ladder run (all targets) stops starting new steps after this. */
  budgetSeconds: number;
  targets: TargetName[];
  /** A step reaches its rate when successful / (elapsed − hold) ≥ this × target rate. */
  minRateFraction: number;
  /** Pause between steps. */
  settleMs: number;
  /** --soak <seconds>: memory flatness mode instead of the ladder. */
  soakSeconds: number | undefined;
  soakRate: number;
  sampleSeconds: number;
  drainSeconds: number;
  /**
   * SCHED_RR priority of the engine's SIP path and of Kamailio's workers (the engine's media
   * threads get this + 10, above the SIP path, as its README advises; SIPp half of it);
   * 0: ordinary scheduling.
   */
  rtPriority: number;
  keep: boolean;
  out: string | undefined;
}

export const USAGE = `Usage: node dist/bench/sip-bench.js [options]    (npm run bench:sip -- [options])

Rate ladder (default): engine answering itself, engine as B2BUA (media anchored, then bypassed),
Kamailio proxy, SIPp→SIPp.
  --step-seconds N     seconds per rate step                 BENCH_STEP_SECONDS   (20)
  --rates A,B,...      rate ladder, calls/s                  BENCH_RATES          (250,…,3000,4000,5000,6000,8000,10000)
  --max-rate N         drop ladder rates above N             BENCH_MAX_RATE
  --hold-ms N          call hold time between ACK and BYE    BENCH_HOLD_MS        (100)
  --budget-seconds N   no new step after this (all targets)  BENCH_BUDGET_SECONDS (660)
  --targets a,b        subset of ${TARGETS.join(',')}   BENCH_TARGETS
  --min-rate-fraction  share of the target rate a step must reach  BENCH_MIN_RATE_FRACTION (0.95)
  --settle-ms N        pause between steps                   BENCH_SETTLE_MS      (2000)
Memory flatness:
  --soak SECONDS       B2BUA at a fixed rate for SECONDS, RSS and /api/health every sample
  --soak-rate N        calls/s during the soak               BENCH_SOAK_RATE      (200)
  --sample-seconds N   sampling period                       BENCH_SAMPLE_SECONDS (10)
  --drain-seconds N    wait after traffic before the last sample  BENCH_DRAIN_SECONDS (35)
Both:
  --rt-priority N      real-time (SCHED_RR) priority of the engine's event loop
                       and SIP sender, and of Kamailio (SIPp: half of it);
                       0: ordinary scheduling               BENCH_RT_PRIORITY    (10)
  --out FILE           also write the JSON result to FILE    BENCH_OUT
  --keep               keep the temporary directory (SIPp logs, stats)  BENCH_KEEP=1
The JSON result goes to stdout, progress to stderr.`;

const KNOWN = new Set(['step-seconds', 'rates', 'max-rate', 'hold-ms', 'budget-seconds', 'targets', 'min-rate-fraction', 'settle-ms', 'soak', 'soak-rate', 'sample-seconds', 'drain-seconds', 'rt-priority', 'out', 'keep']);

function num(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}: expected a number ≥ ${min}, got "${raw}"`);
  return n;
}

function rtPriority(raw: string | undefined): number {
  const n = num('rt-priority', raw, 10);
  // Room for the media threads' priority, 10 above it.
  if (!Number.isInteger(n) || n > 89) throw new Error(`rt-priority: expected an integer from 0 to 89, got "${raw}"`);
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (a === '--keep') {
      args.set('keep', '1');
      continue;
    }
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"\n${USAGE}`);
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!KNOWN.has(key)) throw new Error(`unknown option --${key}\n${USAGE}`);
    if (eq > 0) args.set(key, a.slice(eq + 1));
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      args.set(a.slice(2), v);
    }
  }
  const get = (arg: string, envName: string): string | undefined => args.get(arg) ?? env[envName];

  const ratesRaw = get('rates', 'BENCH_RATES') ?? '250,500,750,1000,1500,2000,2500,3000,4000,5000,6000,8000,10000';
  let rates = ratesRaw.split(',').map((r) => num('rates', r.trim(), NaN, 1));
  const maxRate = num('max-rate', get('max-rate', 'BENCH_MAX_RATE'), Infinity, 1);
  rates = [...new Set(rates.filter((r) => r <= maxRate))].sort((a, b) => a - b);
  if (rates.length === 0) throw new Error('the rate ladder is empty');

  const targetsRaw = get('targets', 'BENCH_TARGETS');
  const targets = targetsRaw ? targetsRaw.split(',').map((t) => t.trim()) : [...TARGETS];
  for (const t of targets) if (!(TARGETS as readonly string[]).includes(t)) throw new Error(`unknown target "${t}" (known: ${TARGETS.join(', ')})`);

  const soak = get('soak', 'BENCH_SOAK');
  return {
    stepSeconds: num('step-seconds', get('step-seconds', 'BENCH_STEP_SECONDS'), 20, 1),
    rates,
    holdMs: num('hold-ms', get('hold-ms', 'BENCH_HOLD_MS'), 100),
    budgetSeconds: num('budget-seconds', get('budget-seconds', 'BENCH_BUDGET_SECONDS'), 660, 10),
    // Kept in the fixed order of TARGETS: the yardsticks start from the engine's result.
    targets: TARGETS.filter((t) => targets.includes(t)),
    minRateFraction: num('min-rate-fraction', get('min-rate-fraction', 'BENCH_MIN_RATE_FRACTION'), 0.95),
    settleMs: num('settle-ms', get('settle-ms', 'BENCH_SETTLE_MS'), 2000),
    soakSeconds: soak === undefined ? undefined : num('soak', soak, 600, 1),
    soakRate: num('soak-rate', get('soak-rate', 'BENCH_SOAK_RATE'), 200, 1),
    sampleSeconds: num('sample-seconds', get('sample-seconds', 'BENCH_SAMPLE_SECONDS'), 10, 1),
    drainSeconds: num('drain-seconds', get('drain-seconds', 'BENCH_DRAIN_SECONDS'), 35),
    rtPriority: rtPriority(get('rt-priority', 'BENCH_RT_PRIORITY')),
    keep: (args.get('keep') ?? env.BENCH_KEEP ?? '') === '1',
    out: get('out', 'BENCH_OUT'),
  };
}
