// `npm start`: the engine with the demo configuration (see README).
import pino from 'pino';
import { loadConfig } from './config.js';
import { setEventLoopRealtime, setNice } from './process-priority.js';
import { startEngine } from './server.js';

const config = loadConfig();
const log = pino({ level: config.logLevel });
// Before the engine starts its threads, which then inherit it.
if (config.nice !== 0) {
  const refused = setNice(config.nice);
  if (refused) log.warn({ nice: config.nice, err: refused }, 'engine runs at its usual priority: the kernel refused the nice value (below 0 needs root or CAP_SYS_NICE)');
}
if (config.sip.realtimePriority > 0) {
  const refused = setEventLoopRealtime(config.sip.realtimePriority);
  if (refused) log.warn({ realtimePriority: config.sip.realtimePriority, err: refused }, 'event loop runs on the ordinary scheduler: the kernel refused SCHED_RR (needs root or CAP_SYS_NICE)');
}

try {
  const engine = await startEngine(config, log);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'engine stopping');
    engine.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'engine stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  log.fatal({ err }, 'engine failed to start');
  process.exit(1);
}
