import { createCollector } from '@tyto/collector';
import { hostname } from 'node:os';
import { Agent } from './agent';
import { parseArgs, USAGE, UsageError } from './args';
import { SampleBuffer } from './buffer';
import { EnrollmentRefused, FingerprintMismatch } from './enroll';
import { LogShipper } from './logs';
import { StateDir } from './state';

/** Exit statuses a supervisor can tell apart (the systemd unit does not restart on 3 and 4). */
const EXIT = { usage: 2, fingerprint: 3, refused: 4, error: 1 } as const;

const log = (line: string) => process.stderr.write(`tyto-agent: ${line}\n`);

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2), { id: hostname() }, process.env);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tyto-agent: ${e.message}\n`);
      if (process.argv.includes('--help')) process.stderr.write(`${USAGE}\n`);
      process.exit(EXIT.usage);
    }
    throw e;
  }
  if (opts.check) {
    process.stderr.write(`tyto-agent: configuration ok (agent '${opts.id}', hub ${opts.hub})\n`);
    return;
  }
  const collector = createCollector({
    agentId: opts.id,
    procRoot: opts.procRoot ?? undefined,
    sysRoot: opts.sysRoot ?? undefined,
  });
  if (opts.once) {
    process.stdout.write(JSON.stringify(await collector.sample()) + '\n');
    await collector.close();
    return;
  }
  const state = new StateDir(opts.stateDir);
  const buffer = new SampleBuffer(state.buffer, {
    maxBytes: opts.bufferMax,
    onTruncate: (file, offset, reason) =>
      log(`buffer: ${reason} in ${file}: truncated at ${offset}`),
  });
  const logs = new LogShipper({ stateDir: opts.stateDir, opts, log });
  const agent = new Agent({ opts, state, buffer, collector, log, logs });
  agent.fatal = (e) => {
    if (e instanceof FingerprintMismatch) {
      log(e.message);
      process.exit(EXIT.fingerprint);
    }
    if (e instanceof EnrollmentRefused) {
      log(e.message);
      process.exit(EXIT.refused);
    }
    log(`fatal: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(EXIT.error);
  };
  const stop = () => void agent.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  log(
    `agent '${opts.id}' starting: hub ${opts.hub}, state ${opts.stateDir}, ${buffer.pending} buffered, ${logs.pending} log batches buffered`,
  );
  agent.start();
}

main().catch((e: unknown) => {
  log(e instanceof Error ? e.message : String(e));
  process.exit(EXIT.error);
});
