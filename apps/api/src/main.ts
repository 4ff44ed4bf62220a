import 'reflect-metadata';
import './common/nest-without-icu';
import { Logger } from '@nestjs/common';
import path from 'node:path';
import { ConfigError, loadConfig } from './common/config';
import { createHub } from './bootstrap';
import { createRootLogger, resolveLogFormat } from './common/logging';
import { stopOnSignals } from './shutdown';

async function main(): Promise<void> {
  let config;
  try {
    // The web build sits beside the hub's bundle: dist/apps/api/main.js → dist/apps/web/browser.
    config = loadConfig(process.env, path.resolve(__dirname, '../web/browser'));
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`tyto: configuration error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const started = Date.now();
  const log = await createRootLogger(config.logLevel, resolveLogFormat(config.logFormat));
  // Lines still queued for stdout go out before any exit, whichever path takes it.
  process.on('exit', () => log.flush());
  const app = await createHub(config, log);
  await app.listen(config.port, config.host);
  stopOnSignals(app);
  new Logger('Tyto').log(
    `listening on http://${config.host}:${config.port} (${config.databaseUrl ? 'PostgreSQL' : 'SQLite'}) in ${Date.now() - started} ms`,
  );
}

main().catch((e: unknown) => {
  console.error(`tyto: failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
