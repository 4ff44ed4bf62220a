import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyHost, fixtureBuffer, fixtureText } from '../test/fixtures';
import {
  formatCmdline,
  parsePasswd,
  parsePidStat,
  parseStatus,
  PasswdCache,
  ProcessSampler,
  redactCommand,
} from './processes';
import type { PidStat } from './processes';
import { FileReader } from './read';

function stat(...path: string[]): PidStat {
  const buf = fixtureBuffer(...path);
  const out: PidStat = { state: '', ticks: 0, startTime: 0, rssPages: 0, comm: '', commHash: 0 };
  expect(parsePidStat(buf, buf.length, out)).toBe(true);
  return out;
}

describe(parsePidStat.name, () => {
  it('reads state, CPU ticks, start time and RSS of a captured node process', () => {
    expect(stat('host-vm', 'proc', '9156', 'stat')).toMatchObject({
      comm: 'node',
      state: 'S',
      ticks: 8,
      startTime: 46254,
      rssPages: 10061,
    });
  });

  it('counts fields from the last parenthesis when the name holds spaces and parentheses', () => {
    const s = stat('host-vm', 'proc', '9215', 'stat');
    expect(s).toMatchObject({ comm: 'we ird) R (x', state: 'S', startTime: 46741, rssPages: 419 });
  });

  it('gives a different name hash after exec without decoding the name', () => {
    const a = Buffer.from('5 (bash) S 1 5 5 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 100 0 10 0\n');
    const b = Buffer.from('5 (sleep) S 1 5 5 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 100 0 10 0\n');
    const out: PidStat = { state: '', ticks: 0, startTime: 0, rssPages: 0, comm: '', commHash: 0 };
    parsePidStat(a, a.length, out, false);
    const before = out.commHash;
    parsePidStat(b, b.length, out, false);
    expect(out.comm).toBe('');
    expect(out.commHash).not.toBe(before);
  });

  it('rejects text that is not a stat line', () => {
    const buf = Buffer.from('garbage');
    const out: PidStat = { state: '', ticks: 0, startTime: 0, rssPages: 0, comm: '', commHash: 0 };
    expect(parsePidStat(buf, buf.length, out)).toBe(false);
  });
});

describe(parseStatus.name, () => {
  it('reads the name and real uid', () => {
    expect(parseStatus(fixtureText('host-vm', 'proc', '2', 'status'))).toEqual({
      name: 'kthreadd',
      uid: 0,
    });
    expect(parseStatus(fixtureText('host-workstation', 'proc', '2001', 'status'))).toEqual({
      name: 'sh',
      uid: 115,
    });
  });
});

describe(parsePasswd.name, () => {
  it('maps uids to names and skips comments', () => {
    const users = parsePasswd(fixtureText('host-workstation', 'etc', 'passwd'));
    expect(users.get(0)).toBe('root');
    expect(users.get(115)).toBe('postgres');
    expect(users.size).toBe(5);
  });
});

describe(formatCmdline.name, () => {
  it('joins argv with spaces and is empty for a kernel thread', () => {
    const node = fixtureBuffer('host-vm', 'proc', '9156', 'cmdline');
    expect(formatCmdline(node, node.length)).toBe(
      'node -e setTimeout(()=>{},600000) -- --password=hunter2 --api-key sk-live-123 ' +
        'PGPASSWORD=pgsecret postgres://app:dbpass@db:5432/app',
    );
    const kthread = fixtureBuffer('host-vm', 'proc', '2', 'cmdline');
    expect(formatCmdline(kthread, kthread.length)).toBe('');
  });

  it('truncates very long command lines', () => {
    const long = Buffer.from('a'.repeat(5000));
    expect(formatCmdline(long, long.length, 100)).toHaveLength(100);
  });
});

describe(redactCommand.name, () => {
  it('redacts every credential in a captured command line', () => {
    const buf = fixtureBuffer('host-vm', 'proc', '9156', 'cmdline');
    expect(redactCommand(formatCmdline(buf, buf.length))).toBe(
      'node -e setTimeout(()=>{},600000) -- --password=*** --api-key *** ' +
        'PGPASSWORD=*** postgres://app:***@db:5432/app',
    );
  });

  it.each([
    ['mysqld --password=hunter2 --user=mysql', 'mysqld --password=*** --user=mysql'],
    ['app --password hunter2 --verbose', 'app --password *** --verbose'],
    ['app --no-password --verbose', 'app --no-password --verbose'],
    ['app -token=abc --db.password="two words" x', 'app -token=*** --db.password=*** x'],
    ['env PGPASSWORD=s3cret MYSQL_PWD=x psql', 'env PGPASSWORD=*** MYSQL_PWD=*** psql'],
    ['curl https://api/x?token=abc&v=1', 'curl https://api/x?token=***&v=1'],
    [
      'worker --client-secret abc --secret-file /run/s',
      'worker --client-secret *** --secret-file ***',
    ],
    ['aws --aws_secret_access_key=AKIA', 'aws --aws_secret_access_key=***'],
    ['svc --api-key=k1 --apikey k2 --api_key=k3', 'svc --api-key=*** --apikey *** --api_key=***'],
    ["curl -H 'Authorization: Bearer eyJhbGciOi'", "curl -H 'Authorization: Bearer ***'"],
    ['redis-cli -u redis://:pa55@cache:6379', 'redis-cli -u redis://:***@cache:6379'],
    ['mysql -u root -pS3cret shop', 'mysql -u root -p*** shop'],
    ['sshpass -phunter2 ssh host', 'sshpass -p*** ssh host'],
    ['DB_PASS=x ./run', 'DB_PASS=*** ./run'],
  ])('%s', (input, expected) => {
    expect(redactCommand(input)).toBe(expected);
  });

  it('leaves ordinary command lines alone', () => {
    for (const cmd of [
      'nginx: worker process',
      '/usr/bin/python3 -m http.server 8000',
      'java -Xmx2g -jar app.jar --bypass-cache --compass north',
      'git log --pretty=oneline',
    ]) {
      expect(redactCommand(cmd)).toBe(cmd);
    }
  });
});

describe(PasswdCache.name, () => {
  it('re-reads passwd only when an unknown uid shows up and the file changed', () => {
    const host = copyHost('host-workstation');
    try {
      const path = join(host.root, 'etc', 'passwd');
      const cache = new PasswdCache(path, new FileReader());
      expect(cache.name(1000)).toBe('alice');
      expect(cache.name(2000)).toBe('2000');
      writeFileSync(path, 'bob:x:2000:2000::/home/bob:/bin/sh\n');
      expect(cache.name(2000)).toBe('bob');
      expect(cache.name(null)).toBe('?');
    } finally {
      host.remove();
    }
  });
});

describe(ProcessSampler.name, () => {
  const constants = { clockTicks: 100, pageSize: 4096 };
  let host: ReturnType<typeof copyHost>;
  let sampler: ProcessSampler;
  let reader: FileReader;

  beforeEach(() => {
    host = copyHost('host-workstation');
    reader = new FileReader();
    const passwd = new PasswdCache(join(host.root, 'etc', 'passwd'), reader);
    sampler = new ProcessSampler(join(host.root, 'proc'), reader, constants, passwd, 4);
  });
  afterEach(() => host.remove());

  it('counts processes and ranks by lifetime CPU and by RSS on the first sample', () => {
    const first = sampler.sample(0, 10000);
    expect(first.total).toBe(8);
    expect(first.running).toBe(1);
    expect(first.topByCpu.every((p) => p.cpu === 0)).toBe(true);
    // With no interval yet, the busiest over their lifetime come first.
    expect(first.topByCpu.map((p) => p.pid)).toEqual([1530, 1204, 2500, 1]);
    expect(first.topByMemory.map((p) => p.pid)).toEqual([1530, 1204, 1, 2500]);
  });

  it('computes CPU % over the interval, including a process born during it', () => {
    sampler.sample(0, 10000);
    host.advance('host-workstation-next');
    rmSync(join(host.root, 'proc', '2500'), { recursive: true }); // exited
    const next = sampler.sample(5, 10005);
    expect(next.total).toBe(8);
    expect(next.running).toBe(2);
    expect(next.topByCpu.map((p) => [p.pid, p.cpu])).toEqual([
      [1204, 50],
      [3100, 30],
      [1530, 20],
      [1, 1],
    ]);
  });

  it('describes listed processes with user, RSS bytes and a redacted command', () => {
    const first = sampler.sample(0, 10000);
    expect(first.topByMemory[0]).toEqual({
      pid: 1530,
      name: 'java',
      user: 'app',
      cpu: 0,
      memory: 500000 * 4096,
      command: 'java -Xmx2g -jar /opt/shop/app.jar --spring.datasource.password ***',
    });
  });

  it('shows a kernel thread in brackets like ps', () => {
    const passwd = new PasswdCache(join(host.root, 'etc', 'passwd'), reader);
    const all = new ProcessSampler(join(host.root, 'proc'), reader, constants, passwd, 20);
    const kthreadd = all.sample(0, 10000).topByMemory.find((p) => p.pid === 2);
    expect(kthreadd).toMatchObject({
      name: 'kthreadd',
      command: '[kthreadd]',
      memory: 0,
      user: 'root',
    });
  });

  it('picks up a new command line after exec (same pid, same start time, new name)', () => {
    sampler.sample(0, 10000);
    const dir = join(host.root, 'proc', '1204');
    const statText = fixtureText('host-workstation', 'proc', '1204', 'stat').replace(
      '(node)',
      '(deno)',
    );
    writeFileSync(join(dir, 'stat'), statText);
    writeFileSync(
      join(dir, 'status'),
      fixtureText('host-workstation', 'proc', '1204', 'status').replace('node', 'deno'),
    );
    writeFileSync(join(dir, 'cmdline'), 'deno\0run\0main.ts\0');
    const next = sampler.sample(5, 10005);
    expect(next.topByMemory.find((p) => p.pid === 1204)).toMatchObject({
      name: 'deno',
      command: 'deno run main.ts',
    });
  });

  it('does not carry CPU time over to a new process that reused a pid', () => {
    sampler.sample(0, 10000);
    // A different process now has pid 1530: later start time, more CPU time than the old one
    // had. Treated as the same process it would show a delta of 59999 ticks (12000 %).
    const reused = fixtureText('host-workstation', 'proc', '1530', 'stat')
      .replace(' 40000 5000 ', ' 99999 5000 ')
      .replace(' 160000 ', ' 950000 ');
    writeFileSync(join(host.root, 'proc', '1530', 'stat'), reused);
    const next = sampler.sample(5, 10005);
    expect(next.topByMemory.find((p) => p.pid === 1530)?.cpu).toBe(0);
    expect(Math.max(...next.topByCpu.map((p) => p.cpu))).toBeLessThanOrEqual(100);
  });

  it('skips a process that vanished between listing and reading', () => {
    writeFileSync(join(host.root, 'proc', '4000', 'stat'), '');
    expect(sampler.sample(0, 10000).total).toBe(7);
  });

  it('keeps one descriptor per process within its budget and closes them all', () => {
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    const before = openFds();
    const passwd = new PasswdCache(join(host.root, 'etc', 'passwd'), reader);
    const budget = new ProcessSampler(join(host.root, 'proc'), reader, constants, passwd, 4, 3);
    expect(budget.sample(0, 10000).total).toBe(8);
    expect(openFds() - before).toBe(3);
    // Past the budget the others are still read, with open/read/close.
    host.advance('host-workstation-next');
    rmSync(join(host.root, 'proc', '2500'), { recursive: true });
    expect(budget.sample(5, 10005).topByCpu.map((p) => p.cpu)).toEqual([50, 30, 20, 1]);
    expect(openFds() - before).toBe(3);
    budget.close();
    expect(openFds()).toBe(before);
  });

  it('forgets a real process that exited and releases its descriptor', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const real = new ProcessSampler(
      '/proc',
      new FileReader(),
      constants,
      new PasswdCache('/etc/passwd', new FileReader()),
      1000,
    );
    const fdOf = (pid: number | undefined): boolean =>
      readdirSync('/proc/self/fd').some((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === `/proc/${pid}/stat`;
        } catch {
          return false;
        }
      });
    try {
      expect(real.sample(0, 0).topByMemory.some((p) => p.pid === child.pid)).toBe(true);
      expect(fdOf(child.pid)).toBe(true);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect(real.sample(0.1, 0.1).topByMemory.some((p) => p.pid === child.pid)).toBe(false);
      expect(fdOf(child.pid)).toBe(false);
    } finally {
      real.close();
      child.kill('SIGKILL');
    }
  });

  it('walks a real /proc', () => {
    const real = new ProcessSampler(
      '/proc',
      new FileReader(),
      constants,
      new PasswdCache('/etc/passwd', new FileReader()),
    );
    real.sample(0, 0);
    const out = real.sample(0.5, 1);
    expect(out.total).toBeGreaterThan(1);
    expect(out.topByMemory.find((p) => p.pid === process.pid)).toBeDefined();
  });
});
