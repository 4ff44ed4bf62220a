import { createCollector } from '@tyto/collector';
import { hostname } from 'node:os';
import { parseArgs, USAGE, UsageError } from './args';

// The agent samples its host and writes NDJSON snapshots to stdout, so it can already feed a
// pipe or a log shipper; enrollment and the mTLS channel to the hub build on this loop.
async function main(): Promise<void> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2), { id: hostname() });
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`tyto-agent: ${e.message}\n${USAGE}`);
      process.exit(2);
    }
    throw e;
  }
  const collector = createCollector({ agentId: opts.id });
  const emit = async () => process.stdout.write(JSON.stringify(await collector.sample()) + '\n');
  if (opts.once) {
    await emit();
    await collector.close();
    return;
  }
  let timer: NodeJS.Timeout | null = null;
  const loop = async () => {
    try {
      await emit();
    } catch (e) {
      console.error(`tyto-agent: sample failed: ${(e as Error).message}`);
    }
    timer = setTimeout(() => void loop(), opts.interval * 1000);
  };
  const stop = () => {
    if (timer) clearTimeout(timer);
    void collector.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await loop();
}

main().catch((e: unknown) => {
  console.error(`tyto-agent: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
