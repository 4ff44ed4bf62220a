export * from './lib/create-collector';

// Pure parsers and helpers, exported for tests and for callers that read one file themselves.
export { parseAuxv, readHostConstants } from './lib/host-constants';
export type { HostConstants } from './lib/host-constants';
export { cpuSplit, parseCpuInfo, parseLoadAvg, parseProcStat } from './lib/cpu';
export type { CpuInfo, CpuSplit, CpuTimes, LoadAverage, ProcStat } from './lib/cpu';
export { memoryMetrics, parseMeminfo } from './lib/memory';
export {
  diskIoRates,
  isReportedDisk,
  mountMetrics,
  parseDiskstats,
  parseMounts,
  selectMounts,
} from './lib/disk';
export type { DiskCounters, MountEntry, StatfsLike } from './lib/disk';
export {
  countTcpStates,
  interfaceMetrics,
  isLinkUp,
  parseNetDev,
  parseSpeed,
  pickAddresses,
  summarizeTcp,
} from './lib/network';
export type { LinkInfo, NetCounters, TcpSummary } from './lib/network';
export {
  formatCmdline,
  parsePasswd,
  parsePidStat,
  parseStatus,
  redactCommand,
} from './lib/processes';
export type { PidStat, ProcessesSection } from './lib/processes';
export { discoverSensors, readSensors } from './lib/temperature';
export type { SensorSource } from './lib/temperature';
export {
  discoverDrmGpus,
  NvidiaBlockAssembler,
  parseNvidiaCsv,
  parseNvidiaCsvLine,
  readDrmGpu,
} from './lib/gpu';
export {
  containerBlockIo,
  containerCpuPercent,
  containerMemory,
  containerMetrics,
  containerNetwork,
  DockerClient,
  readCpuStats,
} from './lib/docker';
export type { DockerCpuStats } from './lib/docker';
export { parseSystemctlJson, parseSystemctlPlain } from './lib/systemd';
export { parseOsRelease, parseUptime } from './lib/system';
export { FileReader, rate } from './lib/read';
export { parseFullPidStat, ProcessTable } from './lib/process-table';
export type { FullPidStat, ProcessTableOptions, SignalOutcome } from './lib/process-table';
