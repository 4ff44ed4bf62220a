import { EventEmitter2 } from '@nestjs/event-emitter';
import type { TytoConfig } from '../common/config';
import { inProcessBus } from '../test/bus';
import { LocalSamplerService } from './local-sampler.service';
import { METRICS_SAMPLE } from './metrics.events';

/** Runs the sampler's first tick with fan-out taking `fanOutMs`; resolves to the next delay. */
async function nextDelayAfterFanOut(fanOutMs: number): Promise<number> {
  const emitter = new EventEmitter2();
  const published = new Promise<void>((resolve) =>
    emitter.on(METRICS_SAMPLE, () => {
      // A slow subscriber holds the event loop while the sample is handed out.
      const until = Date.now() + fanOutMs;
      while (Date.now() < until);
      resolve();
    }),
  );
  const sampler = new LocalSamplerService(
    { sampleInterval: 1 } as TytoConfig,
    inProcessBus(emitter),
  );
  const setTimer = jest.spyOn(global, 'setTimeout');
  sampler.onApplicationBootstrap();
  await published;
  // The tick schedules the next sample right after the emit returns.
  await new Promise((r) => setImmediate(r));
  await sampler.onModuleDestroy();
  const delays = setTimer.mock.calls.map((c) => c[1]).filter((d) => typeof d === 'number');
  setTimer.mockRestore();
  const delay = delays.at(-1);
  if (delay === undefined) throw new Error('no next sample scheduled');
  return delay;
}

describe(LocalSamplerService.name, () => {
  describe('tick', () => {
    it('counts the next sample from the start of this one, so fan-out does not stretch it', async () => {
      // Scheduling after the fan-out would wait the full 1000 ms again.
      expect(await nextDelayAfterFanOut(300)).toBeLessThanOrEqual(700);
    });

    it('starts at once when sampling and fan-out took longer than the interval', async () => {
      expect(await nextDelayAfterFanOut(1100)).toBe(0);
    });
  });
});
