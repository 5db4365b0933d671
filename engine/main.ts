// `npm start`: the engine with the demo configuration (see README).
import pino from 'pino';
import { loadConfig } from './config.js';
import { startEngine } from './server.js';

const config = loadConfig();
const log = pino({ level: config.logLevel });

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
