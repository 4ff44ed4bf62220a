import { HOST_SERIES, type HostSeries } from '@tyto/contracts';
import { proc, snapshot } from '../test/samples';
import {
  bucketFromBuckets,
  bucketFromSamples,
  groupByBucket,
  processPeaks,
  sampleFromSnapshot,
  type RawSample,
} from './history-series';

const at = Date.UTC(2025, 0, 1, 12, 0, 0);
const sample = (offsetMs: number, values: Parameters<typeof snapshot>[2] = {}): RawSample => {
  const s = sampleFromSnapshot(snapshot('a', at + offsetMs, values));
  if (!s) throw new Error('no sample');
  return s;
};
const idx = (s: HostSeries) => HOST_SERIES.indexOf(s);

describe(sampleFromSnapshot.name, () => {
  it('keeps every host series, leaving loopback out of the network totals', () => {
    const s = sample(0, { cpu: 33, rx: 2000, tx: 300, temperature: 71, gpu: 45 });
    expect(Object.fromEntries(HOST_SERIES.map((k, i) => [k, s.values[i]]))).toEqual({
      cpu: 33,
      memory: 40,
      swap: 5,
      load: 0.5,
      temperature: 71,
      gpu: 45,
      disk_read: 1000,
      disk_write: 500,
      net_rx: 2000,
      net_tx: 300,
    });
    expect(s.entities).toEqual({
      disk: { '/': 60, '/data': 10 },
      read: { sda: 1000 },
      write: { sda: 500 },
      rx: { lo: 99_999, eth0: 2000 },
      tx: { lo: 99_999, eth0: 300 },
    });
    expect(s.ts).toBe(at);
  });

  it('stores a missing section as null instead of dropping the sample', () => {
    const partial = { timestamp: new Date(at).toISOString(), agent_id: 'a' };
    const s = sampleFromSnapshot(partial as Parameters<typeof sampleFromSnapshot>[0]);
    expect(s?.values).toEqual(HOST_SERIES.map(() => null));
    expect(s?.processes).toEqual([]);
  });

  it('refuses a sample without a usable timestamp', () => {
    expect(sampleFromSnapshot({ ...snapshot('a', at), timestamp: 'soon' })).toBeNull();
  });

  it('keeps the union of both top-5 lists with commands cut to 100 characters', () => {
    const long = { ...proc(1, 'java', 90, 1), command: 'x'.repeat(300) };
    const many = [long, ...Array.from({ length: 9 }, (_, i) => proc(10 + i, `p${i}`, i, i * 1e6))];
    const s = sample(0, { processes: many });
    expect(s.processes.length).toBeLessThanOrEqual(10);
    expect(s.processes.find((p) => p[0] === 1)?.[5]).toHaveLength(100);
    // Top by CPU (java, p8…p5) and top by memory (p8…p4): p4 is in only the second list.
    expect(s.processes.map((p) => p[1]).sort()).toEqual(
      ['java', 'p4', 'p5', 'p6', 'p7', 'p8'].sort(),
    );
  });
});

describe(bucketFromSamples.name, () => {
  it('gives avg, min and max of each series and each entity', () => {
    const b = bucketFromSamples('a', at, [
      sample(0, { cpu: 10, rootUsed: 50 }),
      sample(10_000, { cpu: 20, rootUsed: 52 }),
      sample(20_000, { cpu: 60, rootUsed: 54 }),
    ]);
    expect(b.samples).toBe(3);
    expect(b.stats[idx('cpu')]).toEqual([30, 10, 60]);
    expect(b.entities.disk?.['/']).toEqual([52, 50, 54, 3]);
  });

  it('keeps each process at its peak CPU and peak memory of the minute', () => {
    const b = bucketFromSamples('a', at, [
      sample(0, { processes: [proc(7, 'ffmpeg', 95, 1e8), proc(8, 'cron', 1, 5e6)] }),
      sample(10_000, { processes: [proc(7, 'ffmpeg', 20, 3e8), proc(8, 'cron', 2, 5e6)] }),
    ]);
    expect(b.processes?.cpu.map((p) => [p[1], p[3], p[4]])).toEqual([
      ['ffmpeg', 95, 3e8],
      ['cron', 2, 5e6],
    ]);
    expect(b.processes?.memory[0][1]).toBe('ffmpeg');
  });
});

describe(bucketFromBuckets.name, () => {
  it('weights averages by sample counts, so the result is the mean of the raw samples', () => {
    const raw = [10, 20, 30, 40, 50].map((cpu, i) => sample(i * 20_000, { cpu }));
    const minutes = groupByBucket(raw, 60_000).map(([ts, rows]) =>
      bucketFromSamples('a', ts, rows),
    );
    expect(minutes.map((m) => m.samples)).toEqual([3, 2]);
    const five = bucketFromBuckets('a', at, minutes);
    expect(five.samples).toBe(5);
    expect(five.stats[idx('cpu')]).toEqual([30, 10, 50]);
    expect(five.entities.read?.['sda']).toEqual([1000, 1000, 1000, 5]);
    expect(five.processes).toBeNull();
  });

  it('leaves a series null when no part had it', () => {
    const gpuLess = { ...sample(0), values: HOST_SERIES.map((k) => (k === 'gpu' ? null : 1)) };
    const b = bucketFromBuckets('a', at, [bucketFromSamples('a', at, [gpuLess])]);
    expect(b.stats[idx('gpu')]).toBeNull();
    expect(b.stats[idx('cpu')]).toEqual([1, 1, 1]);
  });
});

describe(processPeaks.name, () => {
  it('keeps five of each, highest first', () => {
    const list = Array.from({ length: 8 }, (_, i) => proc(i, `p${i}`, i, 100 - i));
    const peaks = processPeaks([sample(0, { processes: list })]);
    expect(peaks.cpu.map((p) => p[0])).toEqual([7, 6, 5, 4, 3]);
    expect(peaks.memory.map((p) => p[0])).toEqual([0, 1, 2, 3, 4]);
  });
});
