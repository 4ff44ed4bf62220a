import { spawn, type ChildProcess } from 'node:child_process';
import { ProcessCommands, type CommandAnswer } from './process-commands';

const sleeper = (): ChildProcess =>
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });

const exitOf = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode);
    else child.once('exit', (_code, signal) => resolve(signal));
  });

const resultOf = (a: CommandAnswer) => {
  if (!a.ok) throw new Error(`refused: ${a.error.code} ${a.error.message}`);
  return a.result as Record<string, unknown>;
};

describe(ProcessCommands.name, () => {
  const commands = new ProcessCommands();
  const children: ChildProcess[] = [];
  const child = () => {
    const c = sleeper();
    children.push(c);
    return c;
  };
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  describe('process.signal', () => {
    it('refuses pid 0, 1, negatives and the agent’s own pid as protected, sending nothing', () => {
      // The hub refuses these before asking; the agent must refuse them even when asked.
      for (const pid of [0, 1, -1, -4242, process.pid]) {
        expect(commands.handle('process.signal', { pid, signal: 'SIGKILL' })).toEqual({
          ok: true,
          result: { ok: false, reason: 'protected' },
        });
      }
    });

    it('refuses a pid the agent is told to protect besides its own', () => {
      const c = child();
      const guarded = new ProcessCommands({ protectedPids: [c.pid as number] });
      expect(guarded.handle('process.signal', { pid: c.pid, signal: 'SIGKILL' })).toEqual({
        ok: true,
        result: { ok: false, reason: 'protected' },
      });
      expect(c.exitCode).toBeNull();
    });

    it.each([
      { pid: 1234, signal: 'SIGUSR1' },
      { pid: 1234, signal: 'SIGKILL;id' },
      { pid: 1234, signal: 9 },
      { pid: '1234', signal: 'SIGTERM' },
      { pid: 12.5, signal: 'SIGTERM' },
      { pid: 1234, signal: 'SIGTERM', start_time: 'yesterday' },
      { pid: 1234, signal: 'SIGTERM', extra: true },
      {},
      null,
    ])('refuses params %p as VALIDATION_FAILED', (params) => {
      const a = commands.handle('process.signal', params);
      expect(a).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    });

    it('refuses a pid whose start time is not the one shown (pid reuse) and sends nothing', async () => {
      const c = child();
      const pid = c.pid as number;
      const a = commands.handle('process.signal', {
        pid,
        signal: 'SIGKILL',
        start_time: '2001-02-03T04:05:06.000Z',
      });
      expect(resultOf(a)).toEqual({ ok: false, reason: 'changed', name: 'node' });
      await new Promise((r) => setTimeout(r, 100));
      expect(c.exitCode).toBeNull();
      expect(c.signalCode).toBeNull();
    });

    it('sends an allowed signal to a real process when the start time matches', async () => {
      const c = child();
      const pid = c.pid as number;
      const detail = resultOf(commands.handle('process.detail', { pid })) as {
        process: { startTime: string };
      };
      const done = exitOf(c);
      const a = commands.handle('process.signal', {
        pid,
        signal: 'SIGTERM',
        start_time: detail.process.startTime,
      });
      expect(resultOf(a)).toEqual({ ok: true, name: 'node', startTime: detail.process.startTime });
      expect(await done).toBe('SIGTERM');
      expect(resultOf(commands.handle('process.signal', { pid, signal: 'SIGTERM' }))).toEqual({
        ok: false,
        reason: 'not_found',
      });
    });
  });

  describe('process.list and process.detail', () => {
    it('lists this host’s processes, the agent among them', () => {
      const { processes } = resultOf(commands.handle('process.list', {})) as {
        processes: { pid: number }[];
      };
      expect(processes.map((p) => p.pid)).toContain(process.pid);
      expect(commands.handle('process.list', { all: true })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    });

    it('describes one process, null once it is gone', async () => {
      const c = child();
      const pid = c.pid as number;
      expect(resultOf(commands.handle('process.detail', { pid }))).toEqual({
        process: expect.objectContaining({ pid, ppid: process.pid, name: 'node' }) as unknown,
      });
      const done = exitOf(c);
      c.kill('SIGKILL');
      await done;
      expect(resultOf(commands.handle('process.detail', { pid }))).toEqual({ process: null });
      expect(commands.handle('process.detail', { pid: 'x' })).toMatchObject({ ok: false });
    });
  });

  it('answers an unknown command with UNKNOWN_COMMAND', () => {
    expect(commands.handle('process.nuke', {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_COMMAND' },
    });
  });
});
