import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import type { ProcessControl } from '../processes/process-control';

const TABLE = path.resolve(__dirname, '../../../../libs/collector/src/lib/process-table.ts');

/**
 * A second "host" for tests: the real ProcessTable of libs/collector, run in a child process as
 * `nobody` (uid 65534), so the operating system refuses to signal root's processes (EPERM) the
 * way it refuses an unprivileged hub or agent. Plugs into the hub through the ProcessControl
 * port, as an agent connection does. Needs root to start the child as another user.
 */
export function unprivilegedHost(): { control: ProcessControl; dispose(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tyto-nobody-'));
  chmodSync(dir, 0o755);
  const script = path.join(dir, 'table.js');
  buildSync({
    stdin: {
      contents: `import { ProcessTable } from ${JSON.stringify(TABLE)};
        const [op, pid, signal, start] = process.argv.slice(2);
        const t = new ProcessTable();
        const out = op === 'list' ? t.list() : op === 'detail' ? t.detail(Number(pid))
          : t.signal(Number(pid), signal, start || undefined);
        process.stdout.write(JSON.stringify(out));`,
      resolveDir: path.dirname(TABLE),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    outfile: script,
    logLevel: 'silent',
  });
  const run = <T>(...args: string[]) =>
    new Promise<T>((resolve, reject) =>
      execFile(
        process.execPath,
        [script, ...args],
        { uid: 65534, gid: 65534, encoding: 'utf8' },
        (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as T)),
      ),
    );
  return {
    control: {
      list: () => run('list'),
      detail: (pid) => run('detail', String(pid)),
      signal: (pid, signal, start) => run('signal', String(pid), signal, start ?? ''),
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
