import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ContainerMetrics,
  GpuMetrics,
  MetricsSnapshot,
  SystemdService,
} from '@tyto/contracts';
import { DockerClient, DockerReader } from './docker';
import { discoverDrmGpus, NvidiaSmiLoop, readDrmGpu } from './gpu';
import { Periodic, within } from './periodic';
import { FileReader } from './read';
import { SystemdReader } from './systemd';

export type SlowSection = 'docker' | 'systemd' | 'gpu';

export interface SlowSectionOptions {
  sysRoot: string;
  /** Host root: /run/systemd/system below it tells whether systemd runs. */
  hostRoot: string;
  intervalMs: number;
  disable: ReadonlySet<SlowSection>;
  dockerSocket: string;
  nvidiaSmiPath: string;
  systemctlPath: string;
  /** Reason reported for systemd where it cannot exist (not Linux). */
  systemdUnsupported?: string;
}

interface SectionState<T> {
  items: T[];
  reason: string | null;
}

const NOT_YET = 'waiting for the first refresh';

type Sections = Pick<MetricsSnapshot, 'gpu' | 'docker' | 'systemd'>;

/**
 * Docker, systemd and GPU: the sections that need a socket or a child process. Each refreshes
 * on its own timer in the background; `current()` only returns the latest results, so a sample
 * never waits on them.
 */
export class SlowSections {
  private readonly reader = new FileReader(16 * 1024);
  private readonly tasks: Periodic[] = [];
  private readonly nvidia: NvidiaSmiLoop | null;
  private readonly dockerClient: DockerClient | null;
  private docker: SectionState<ContainerMetrics> = { items: [], reason: NOT_YET };
  private systemd: SectionState<SystemdService> = { items: [], reason: NOT_YET };
  private drm: GpuMetrics[] = [];
  private drmFound = false;
  private started: Promise<unknown> | null = null;
  private closed = false;

  constructor(private readonly opts: SlowSectionOptions) {
    const gpuOn = !opts.disable.has('gpu');
    this.nvidia = gpuOn
      ? new NvidiaSmiLoop(
          opts.nvidiaSmiPath,
          // nvidia-smi -l takes whole seconds.
          Math.max(1, Math.round(opts.intervalMs / 1000)),
          opts.intervalMs,
        )
      : null;
    this.dockerClient = opts.disable.has('docker') ? null : new DockerClient(opts.dockerSocket);
  }

  /** Starts every refresher; the promise settles when each has a first result. */
  start(): Promise<unknown> {
    if (this.started) return this.started;
    // close() came first (the collector was closed while starting): spawn nothing.
    if (this.closed) return Promise.resolve();
    const first: Promise<unknown>[] = [];
    const schedule = (task: () => Promise<void>): Promise<void> => {
      const periodic = new Periodic(task, this.opts.intervalMs);
      this.tasks.push(periodic);
      return periodic.start();
    };

    const dockerClient = this.dockerClient;
    if (dockerClient) {
      const reader = new DockerReader(dockerClient);
      first.push(
        schedule(async () => {
          const res = await reader.read();
          this.docker = { items: res.containers, reason: res.reason };
        }),
      );
    }
    if (!this.opts.disable.has('systemd') && !this.opts.systemdUnsupported) {
      const reader = new SystemdReader(this.opts.systemctlPath);
      const booted = join(this.opts.hostRoot, 'run', 'systemd', 'system');
      first.push(
        schedule(async () => {
          // sd_booted(): without this directory systemd is not PID 1 and systemctl can only fail,
          // so do not fork it every period to be told so.
          if (!existsSync(booted)) {
            this.systemd = { items: [], reason: 'systemd is not running (no /run/systemd/system)' };
            return;
          }
          const res = await reader.read();
          this.systemd = { items: res.services, reason: res.reason };
        }),
      );
    }
    if (this.nvidia) {
      this.nvidia.start();
      // NVML initialisation makes the first block take about a second.
      first.push(this.nvidia.ready(4000));
      first.push(
        schedule(async () => {
          // Rediscovered each time: cheap, and eGPUs come and go.
          const gpus = discoverDrmGpus(this.opts.sysRoot, this.reader);
          this.drmFound = gpus.length > 0;
          this.drm = gpus.map((g) => readDrmGpu(g, this.reader));
        }),
      );
    }
    this.started = Promise.all(first);
    return this.started;
  }

  /** Waits for the first results, at most `ms`. */
  ready(ms: number): Promise<void> {
    return within(this.start(), ms);
  }

  current(): Sections {
    const { disable } = this.opts;
    return {
      gpu: this.gpuSection(),
      docker: disable.has('docker')
        ? { available: false, reason: 'disabled', containers: [] }
        : this.docker.reason !== null
          ? { available: false, reason: this.docker.reason, containers: [] }
          : { available: true, containers: this.docker.items },
      systemd: disable.has('systemd')
        ? { available: false, reason: 'disabled', services: [] }
        : this.opts.systemdUnsupported
          ? { available: false, reason: this.opts.systemdUnsupported, services: [] }
          : this.systemd.reason !== null
            ? { available: false, reason: this.systemd.reason, services: [] }
            : { available: true, services: this.systemd.items },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.tasks.map((t) => t.stop()));
    await this.nvidia?.stop();
    this.dockerClient?.close();
  }

  private gpuSection(): Sections['gpu'] {
    if (!this.nvidia) return { available: false, reason: 'disabled', gpus: [] };
    const nv = this.nvidia.state();
    const gpus = [...nv.gpus, ...this.drm];
    if (gpus.length > 0) return { available: true, gpus };
    const reasons = [nv.reason, this.drmFound ? null : 'no AMD or Intel GPU in sysfs'];
    return { available: false, reason: reasons.filter((r) => r !== null).join('; '), gpus };
  }
}
