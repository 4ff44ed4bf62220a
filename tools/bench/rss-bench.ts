/**
 * Hub memory: idle RSS over two minutes, after one login, and after 20 logins + logouts and a
 * further idle spell (do argon2's buffers go back?), beside an empty `node -e
 * "setInterval(()=>{},1000)"` started at the same moment and read at the same points.
 *
 *   node tools/build/build-node.mjs tools/bench/rss-bench.ts dist/tools/rss-bench.js \
 *     apps/api/tsconfig.app.json && node dist/tools/rss-bench.js
 *
 * Options: --seconds 120 (idle spell, read every 10 s; the idle after the logins is
 *          min(30, seconds))  --logins 20  --hub dist/apps/api/main.js  --web DIR|none  --pg [URL]
 */
import { spawn } from 'node:child_process';
import {
  describeHub,
  HUB_FLAGS,
  hubFromCli,
  login,
  logout,
  markdownTable,
  memoryMb,
  parseCli,
  printHeader,
  round,
  runMain,
  sleep,
  startHub,
  stopChild,
  track,
} from './bench-kit';

async function main(): Promise<void> {
  const cli = parseCli(['seconds', 'logins', ...HUB_FLAGS]);
  const seconds = cli.num('seconds', 120);
  const logins = Math.floor(cli.num('logins', 20));
  const after = Math.min(30, seconds);
  const step = Math.min(10, seconds);
  printHeader('rss-bench', 'Idle RSS: hub vs an empty node process');
  const setup = hubFromCli(cli);
  console.log(
    `${describeHub(setup)}; idle ${seconds} s (read every ${step} s), then 1 login, then ` +
      `${logins} logins + logouts and ${after} s idle\n`,
  );

  // Started first so it has settled by the time the hub answers; both are read from then on.
  const empty = track(
    spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' }),
  );
  const hub = await startHub(setup, { sampleInterval: 1 });
  try {
    const emptyPid = empty.pid as number;
    const t0 = Date.now();
    const rows: string[][] = [];
    const read = (label: string) => {
      const h = memoryMb(hub.pid);
      const e = memoryMb(emptyPid);
      rows.push([
        label,
        String(round(h.rss)),
        String(round(e.rss)),
        String(round(h.rss - e.rss)),
        String(round(h.hwm)),
      ]);
      console.log(`  ${label}: hub ${round(h.rss)} MB, empty node ${round(e.rss)} MB`);
      return h.rss;
    };
    const trace: number[] = [];
    await sleep(200);
    read('idle, 0 s');
    for (let t = step; t <= seconds; t += step) {
      await sleep(Math.max(0, t0 + t * 1000 - Date.now()));
      const rss = read(`idle, ${t} s`);
      trace.push(round(rss));
    }
    if (trace.length === 0) read(`idle, ${seconds} s`);

    let token = await login(hub.base);
    await sleep(1000);
    read('1 s after 1 login');
    await logout(hub.base, token);
    for (let i = 0; i < logins; i++) {
      token = await login(hub.base);
      await logout(hub.base, token);
    }
    read(`right after ${logins} more logins + logouts`);
    await sleep(after * 1000);
    read(`${after} s later`);

    console.log(`\nhub idle trace every ${step} s (MB): ${trace.join(', ')}\n`);
    console.log(
      markdownTable(
        ['checkpoint', 'hub RSS MB', 'empty node RSS MB', 'hub − empty MB', 'hub peak (VmHWM) MB'],
        rows,
      ),
    );
  } finally {
    await stopChild(empty, 2000);
    await hub.stop();
  }
}

runMain(main);
