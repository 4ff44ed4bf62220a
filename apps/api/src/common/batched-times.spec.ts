import { BatchedTimes } from './batched-times';

describe('BatchedTimes', () => {
  it('writes the newest time of each id in one batch, and nothing when nothing changed', async () => {
    const writes: { id: string; at: string }[][] = [];
    const times = new BatchedTimes('test times', async (b) => void writes.push(b), 'Test');
    times.set('a', Date.UTC(2026, 0, 1));
    times.set('b', Date.UTC(2026, 0, 2));
    times.set('a', Date.UTC(2026, 0, 3));
    expect(times.get('a')).toBe(Date.UTC(2026, 0, 3));
    await times.flush();
    await times.flush();
    expect(writes).toEqual([
      [
        { id: 'a', at: '2026-01-03T00:00:00.000Z' },
        { id: 'b', at: '2026-01-02T00:00:00.000Z' },
      ],
    ]);
    expect(times.get('a')).toBeUndefined();
  });

  it('forgets a deleted id, writes what is left on stop, and survives a failed write', async () => {
    const writes: string[][] = [];
    let fail = true;
    const times = new BatchedTimes(
      'test times',
      async (b) => {
        if (fail) throw new Error('database gone');
        writes.push(b.map((x) => x.id));
      },
      'Test',
    );
    times.start(60_000);
    times.set('x', 1);
    await expect(times.flush()).resolves.toBeUndefined();
    fail = false;
    times.set('y', 2);
    times.set('z', 3);
    times.delete('y');
    await times.stop();
    expect(writes).toEqual([['z']]);
  });
});
