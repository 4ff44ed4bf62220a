import * as z from 'zod';
import { safeString } from './strings';

/**
 * The metrics snapshot: one sample of one host, as published on the event bus, streamed over SSE
 * (`event: metrics`) and exported. Field names follow the REST contract (camelCase inside the
 * snapshot, `agent_id` at the top like every other REST payload). Rates are per second, sizes in
 * bytes, percentages 0–100, frequencies in MHz, temperatures in °C.
 */

/** A section that may not be readable on a host says so instead of failing the sample. */
const optionalSection = {
  available: z.boolean(),
  /** Why the section is unavailable (`available: false`), e.g. "nvidia-smi not found". */
  reason: z.string().optional(),
};

export const SystemInfoSchema = z.object({
  hostname: z.string(),
  kernel: z.string(),
  os: z.string(),
  architecture: z.string(),
  /** Seconds since boot. */
  uptime: z.number(),
  /** ISO 8601 UTC. */
  bootTime: z.string(),
});

export const CpuCoreSchema = z.object({
  id: z.number().int(),
  usage: z.number(),
  /** Current frequency in MHz, null where the kernel does not expose it. */
  frequency: z.number().nullable(),
});

export const CpuSchema = z.object({
  model: z.string(),
  cores: z.array(CpuCoreSchema),
  totalUsage: z.number(),
  user: z.number(),
  system: z.number(),
  iowait: z.number(),
  steal: z.number(),
  idle: z.number(),
  loadAverage: z.object({ one: z.number(), five: z.number(), fifteen: z.number() }),
});

export const MemorySchema = z.object({
  total: z.number(),
  used: z.number(),
  free: z.number(),
  available: z.number(),
  buffers: z.number(),
  cached: z.number(),
  /** used / total × 100 */
  usedPercent: z.number(),
  swapTotal: z.number(),
  swapUsed: z.number(),
  swapFree: z.number(),
  swapPercent: z.number(),
});

export const DiskMountSchema = z.object({
  device: z.string(),
  mountpoint: z.string(),
  fstype: z.string(),
  total: z.number(),
  used: z.number(),
  free: z.number(),
  usedPercent: z.number(),
  inodesTotal: z.number(),
  inodesUsed: z.number(),
  inodesPercent: z.number(),
});

export const DiskIoSchema = z.object({
  device: z.string(),
  /** Cumulative bytes since boot. */
  readBytes: z.number(),
  writeBytes: z.number(),
  /** Bytes per second over the last interval. */
  readRate: z.number(),
  writeRate: z.number(),
  /** Operations per second over the last interval. */
  readOps: z.number(),
  writeOps: z.number(),
  /** Share of the interval the device was busy, 0–100. */
  utilization: z.number(),
});

export const NetworkInterfaceSchema = z.object({
  name: z.string(),
  ipv4: z.string().nullable(),
  ipv6: z.string().nullable(),
  mac: z.string().nullable(),
  /** Link speed in Mbit/s, null when unknown (virtual interfaces). */
  speed: z.number().nullable(),
  up: z.boolean(),
  rxBytes: z.number(),
  txBytes: z.number(),
  rxRate: z.number(),
  txRate: z.number(),
  rxErrors: z.number(),
  txErrors: z.number(),
  rxDropped: z.number(),
  txDropped: z.number(),
});

export const ProcessSummarySchema = z.object({
  pid: z.number().int(),
  name: z.string(),
  user: z.string(),
  /** Percent of one core (like top), may exceed 100 on multi-threaded processes. */
  cpu: z.number(),
  /** Resident set size in bytes. */
  memory: z.number(),
  /** Command line with secrets (`--password=…`, `token=…`) redacted. */
  command: z.string(),
});

export const TemperatureSensorSchema = z.object({
  name: z.string(),
  value: z.number(),
  high: z.number().nullable(),
  critical: z.number().nullable(),
});

export const GpuSchema = z.object({
  index: z.number().int(),
  name: z.string(),
  vendor: z.enum(['nvidia', 'amd', 'intel']),
  utilization: z.number().nullable(),
  memoryUsed: z.number().nullable(),
  memoryTotal: z.number().nullable(),
  temperature: z.number().nullable(),
  powerWatts: z.number().nullable(),
});

export const ContainerSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  status: z.string(),
  state: z.string(),
  health: z.string().nullable(),
  restarts: z.number(),
  cpu: z.number(),
  memory: z.number(),
  memoryLimit: z.number(),
  networkRx: z.number(),
  networkTx: z.number(),
  blockRead: z.number(),
  blockWrite: z.number(),
});

export const SystemdServiceSchema = z.object({
  name: z.string(),
  description: z.string(),
  load: z.string(),
  /** ActiveState: active, inactive, failed, … */
  state: z.string(),
  subState: z.string(),
});

export const MetricsSnapshotSchema = z.object({
  /** ISO 8601 UTC time of the sample. */
  timestamp: z.string(),
  /** `local` for the hub's own host, the agent id otherwise. */
  agent_id: z.string(),
  system: SystemInfoSchema,
  cpu: CpuSchema,
  memory: MemorySchema,
  disk: z.object({ mounts: z.array(DiskMountSchema), io: z.array(DiskIoSchema) }),
  network: z.object({
    interfaces: z.array(NetworkInterfaceSchema),
    /**
     * TCP sockets in every state but LISTEN (IPv4 and IPv6): exactly the sum of
     * `connectionsByState` without its LISTEN entry, from the same scan.
     */
    connectionCount: z.number(),
    /** TCP sockets by state name (ESTABLISHED, LISTEN, TIME_WAIT, …); LISTEN is not a connection. */
    connectionsByState: z.record(z.string(), z.number()),
  }),
  processes: z.object({
    total: z.number(),
    running: z.number(),
    topByCpu: z.array(ProcessSummarySchema),
    topByMemory: z.array(ProcessSummarySchema),
  }),
  temperature: z.object({ ...optionalSection, sensors: z.array(TemperatureSensorSchema) }),
  gpu: z.object({ ...optionalSection, gpus: z.array(GpuSchema) }),
  docker: z.object({ ...optionalSection, containers: z.array(ContainerSchema) }),
  systemd: z.object({ ...optionalSection, services: z.array(SystemdServiceSchema) }),
});

export type SystemInfo = z.infer<typeof SystemInfoSchema>;
export type CpuMetrics = z.infer<typeof CpuSchema>;
export type MemoryMetrics = z.infer<typeof MemorySchema>;
export type DiskMount = z.infer<typeof DiskMountSchema>;
export type DiskIo = z.infer<typeof DiskIoSchema>;
export type NetworkInterfaceMetrics = z.infer<typeof NetworkInterfaceSchema>;
export type ProcessSummary = z.infer<typeof ProcessSummarySchema>;
export type TemperatureSensor = z.infer<typeof TemperatureSensorSchema>;
export type GpuMetrics = z.infer<typeof GpuSchema>;
export type ContainerMetrics = z.infer<typeof ContainerSchema>;
export type SystemdService = z.infer<typeof SystemdServiceSchema>;
export type MetricsSnapshot = z.infer<typeof MetricsSnapshotSchema>;

/** Sections every snapshot carries; the SSE test checks each is present. */
export const METRICS_SECTIONS = [
  'system',
  'cpu',
  'memory',
  'disk',
  'network',
  'processes',
  'temperature',
  'gpu',
  'docker',
  'systemd',
] as const satisfies readonly (keyof MetricsSnapshot)[];

export const StreamQuerySchema = z.strictObject({
  agent_id: safeString().min(1).max(128).optional(),
  /** `fleet`: one coalesced `event: fleet` frame per tick with every host's newest sample. */
  view: z.enum(['host', 'fleet']).optional(),
});
export type StreamQuery = z.infer<typeof StreamQuerySchema>;
