import { EventEmitter2 } from '@nestjs/event-emitter';
import { LOCAL_AGENT_ID, type MetricsSnapshot } from '@tyto/contracts';
import type { HubBus } from '../common/bus';
import type { TytoConfig } from '../common/config';
import { inProcessBus, noRedis } from '../test/bus';
import { LocalSamplerService } from './local-sampler.service';
import { METRICS_SAMPLE } from './metrics.events';
import { SampleSources } from './sample-source';

describe(SampleSources.name, () => {
  const config = { sampleInterval: 5 } as TytoConfig;
  let emitter: EventEmitter2;
  let bus: HubBus;
  let sources: SampleSources;
  const samplers: LocalSamplerService[] = [];
  const sampler = () => {
    const s = new LocalSamplerService(config, bus, sources);
    samplers.push(s);
    return s;
  };

  beforeEach(() => {
    emitter = new EventEmitter2();
    bus = inProcessBus(emitter);
    sources = new SampleSources(bus, noRedis);
  });
  afterEach(async () => {
    for (const s of samplers.splice(0)) await s.onModuleDestroy();
  });

  it("stamps a sample with its source's agent id, whatever the body says", () => {
    const seen: MetricsSnapshot[] = [];
    emitter.on(METRICS_SAMPLE, (s: MetricsSnapshot) => seen.push(s));
    const local = sampler();
    sources.register(local);
    sources.publish(local, { agent_id: 'someone-else', timestamp: 't' } as MetricsSnapshot);
    expect(seen.map((s) => s.agent_id)).toEqual([LOCAL_AGENT_ID]);
  });

  it('fans the refresh interval out to every source, also to one that registers later', () => {
    const first = sampler();
    sources.register(first);
    sources.onInterval({ interval: 7 });
    expect(first.interval).toBe(7);
    const later = sampler();
    sources.register(later);
    expect(later.interval).toBe(7);
  });

  it('keeps one source per agent: a newer one replaces (and closes) the old', () => {
    const old = sampler();
    const fresh = sampler();
    sources.register(old);
    sources.register(fresh);
    expect(sources.get(LOCAL_AGENT_ID)).toBe(fresh);
    // The replaced one unregistering late does not remove the newer one.
    sources.unregister(old);
    expect(sources.isConnected(LOCAL_AGENT_ID)).toBe(true);
  });

  it('fails a command to an agent without a live source at once with 503 AGENT_OFFLINE', async () => {
    await expect(sources.command('web-01', 'ping')).rejects.toMatchObject({
      code: 'AGENT_OFFLINE',
      status: 503,
    });
  });
});
