import { Periodic, within } from './periodic';

describe(Periodic.name, () => {
  it('runs now, then on the interval, never two runs at once', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const task = new Periodic(async () => {
      runs++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 30));
      running--;
    }, 10);
    await task.start();
    expect(runs).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await task.stop();
    const after = runs;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(after).toBeGreaterThan(1);
    expect(runs).toBe(after);
    expect(maxRunning).toBe(1);
  });

  it('keeps its schedule after a failing run', async () => {
    let runs = 0;
    const task = new Periodic(async () => {
      runs++;
      throw new Error('engine down');
    }, 10);
    await task.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await task.stop();
    expect(runs).toBeGreaterThan(1);
  });
});

describe(within.name, () => {
  it('resolves when the promise settles, even by rejecting', async () => {
    await expect(within(Promise.reject(new Error('x')), 1000)).resolves.toBeUndefined();
  });

  it('stops waiting at the deadline', async () => {
    const start = Date.now();
    await within(new Promise(() => undefined), 50);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
