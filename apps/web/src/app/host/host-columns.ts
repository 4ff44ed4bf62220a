import type {
  ContainerMetrics,
  DiskIo,
  DiskMount,
  NetworkInterfaceMetrics,
  ProcessSummary,
  SystemdService,
  TemperatureSensor,
} from '@tyto/contracts';
import { formatBytes, formatPercent } from '../shared/format/format';
import type { CellLevel, TableColumn } from '../shared/ui/table';
import { usageLevel } from '../shared/ui/usage-bar.component';

// Column sets of the host page's tables. The live top lists and the history's per-minute peaks
// share one process shape.
export type ProcessRow = Pick<
  ProcessSummary,
  'pid' | 'name' | 'user' | 'cpu' | 'memory' | 'command'
>;

const rate = (bytesPerSecond: number) => `${formatBytes(bytesPerSecond)}/s`;
const celsius = (value: number | null) => (value === null ? '–' : `${value.toFixed(1)} °C`);

export function temperatureLevel(sensor: TemperatureSensor): CellLevel {
  if (sensor.critical !== null && sensor.value >= sensor.critical) return 'critical';
  if (sensor.high !== null && sensor.value >= sensor.high) return 'warn';
  return 'ok';
}

export function serviceLevel(service: SystemdService): CellLevel | null {
  switch (service.state) {
    case 'failed':
      return 'critical';
    case 'activating':
    case 'deactivating':
    case 'reloading':
      return 'warn';
    case 'active':
      return 'ok';
    default:
      return 'muted';
  }
}

export function containerLevel(container: ContainerMetrics): CellLevel | null {
  if (container.health === 'unhealthy' || container.state === 'dead') return 'critical';
  if (container.state === 'restarting' || container.health === 'starting') return 'warn';
  if (container.state === 'running') return 'ok';
  return 'muted';
}

export const PROCESS_COLUMNS: readonly TableColumn<ProcessRow>[] = [
  { key: 'pid', label: 'PID', value: (p) => p.pid, numeric: true },
  { key: 'name', label: 'Name', value: (p) => p.name },
  { key: 'user', label: 'User', value: (p) => p.user },
  {
    key: 'cpu',
    label: 'CPU',
    value: (p) => p.cpu,
    display: (p) => formatPercent(p.cpu),
    numeric: true,
  },
  {
    key: 'memory',
    label: 'Memory',
    value: (p) => p.memory,
    display: (p) => formatBytes(p.memory),
    numeric: true,
  },
  { key: 'command', label: 'Command', value: (p) => p.command },
];

export const MOUNT_COLUMNS: readonly TableColumn<DiskMount>[] = [
  { key: 'mountpoint', label: 'Mount', value: (m) => m.mountpoint },
  { key: 'device', label: 'Device', value: (m) => m.device },
  { key: 'fstype', label: 'Type', value: (m) => m.fstype },
  {
    key: 'usedPercent',
    label: 'Used',
    value: (m) => m.usedPercent,
    display: (m) => formatPercent(m.usedPercent),
    numeric: true,
    level: (m) => usageLevel(m.usedPercent),
  },
  {
    key: 'used',
    label: 'Used / total',
    value: (m) => m.used,
    display: (m) => `${formatBytes(m.used)} / ${formatBytes(m.total)}`,
    numeric: true,
  },
  {
    key: 'free',
    label: 'Free',
    value: (m) => m.free,
    display: (m) => formatBytes(m.free),
    numeric: true,
  },
  {
    key: 'inodesPercent',
    label: 'Inodes',
    // File systems without inodes (btrfs, vfat) report a total of zero.
    value: (m) => (m.inodesTotal > 0 ? m.inodesPercent : null),
    display: (m) =>
      m.inodesTotal > 0 ? `${formatPercent(m.inodesPercent)} of ${m.inodesTotal}` : '–',
    numeric: true,
    level: (m) => (m.inodesTotal > 0 ? usageLevel(m.inodesPercent) : null),
  },
];

export const DISK_IO_COLUMNS: readonly TableColumn<DiskIo>[] = [
  { key: 'device', label: 'Device', value: (d) => d.device },
  {
    key: 'readRate',
    label: 'Read',
    value: (d) => d.readRate,
    display: (d) => rate(d.readRate),
    numeric: true,
  },
  {
    key: 'writeRate',
    label: 'Write',
    value: (d) => d.writeRate,
    display: (d) => rate(d.writeRate),
    numeric: true,
  },
  {
    key: 'readOps',
    label: 'Reads/s',
    value: (d) => d.readOps,
    display: (d) => d.readOps.toFixed(1),
    numeric: true,
  },
  {
    key: 'writeOps',
    label: 'Writes/s',
    value: (d) => d.writeOps,
    display: (d) => d.writeOps.toFixed(1),
    numeric: true,
  },
  {
    key: 'utilization',
    label: 'Busy',
    value: (d) => d.utilization,
    display: (d) => formatPercent(d.utilization),
    numeric: true,
    level: (d) => usageLevel(d.utilization),
  },
];

export const INTERFACE_COLUMNS: readonly TableColumn<NetworkInterfaceMetrics>[] = [
  { key: 'name', label: 'Interface', value: (i) => i.name },
  {
    key: 'up',
    label: 'Link',
    value: (i) => i.up,
    display: (i) => (i.up ? 'up' : 'down'),
    level: (i) => (i.up ? 'ok' : 'muted'),
  },
  { key: 'ipv4', label: 'IPv4', value: (i) => i.ipv4 },
  { key: 'ipv6', label: 'IPv6', value: (i) => i.ipv6 },
  { key: 'mac', label: 'MAC', value: (i) => i.mac },
  {
    key: 'speed',
    label: 'Speed',
    value: (i) => i.speed,
    display: (i) => (i.speed === null ? '–' : `${i.speed} Mbit/s`),
    numeric: true,
  },
  {
    key: 'rxRate',
    label: 'Receive',
    value: (i) => i.rxRate,
    display: (i) => rate(i.rxRate),
    numeric: true,
  },
  {
    key: 'txRate',
    label: 'Transmit',
    value: (i) => i.txRate,
    display: (i) => rate(i.txRate),
    numeric: true,
  },
  {
    key: 'errors',
    label: 'Errors rx/tx',
    value: (i) => i.rxErrors + i.txErrors,
    display: (i) => `${i.rxErrors} / ${i.txErrors}`,
    numeric: true,
    level: (i) => (i.rxErrors + i.txErrors > 0 ? 'warn' : null),
  },
  {
    key: 'drops',
    label: 'Drops rx/tx',
    value: (i) => i.rxDropped + i.txDropped,
    display: (i) => `${i.rxDropped} / ${i.txDropped}`,
    numeric: true,
    level: (i) => (i.rxDropped + i.txDropped > 0 ? 'warn' : null),
  },
];

export const TEMPERATURE_COLUMNS: readonly TableColumn<TemperatureSensor>[] = [
  { key: 'name', label: 'Sensor', value: (s) => s.name },
  {
    key: 'value',
    label: 'Now',
    value: (s) => s.value,
    display: (s) => celsius(s.value),
    numeric: true,
    level: temperatureLevel,
  },
  {
    key: 'high',
    label: 'High',
    value: (s) => s.high,
    display: (s) => celsius(s.high),
    numeric: true,
  },
  {
    key: 'critical',
    label: 'Critical',
    value: (s) => s.critical,
    display: (s) => celsius(s.critical),
    numeric: true,
  },
];

export const CONTAINER_COLUMNS: readonly TableColumn<ContainerMetrics>[] = [
  { key: 'name', label: 'Name', value: (c) => c.name },
  { key: 'image', label: 'Image', value: (c) => c.image },
  { key: 'state', label: 'State', value: (c) => c.state, level: containerLevel },
  { key: 'status', label: 'Status', value: (c) => c.status },
  { key: 'health', label: 'Health', value: (c) => c.health },
  { key: 'restarts', label: 'Restarts', value: (c) => c.restarts, numeric: true },
  {
    key: 'cpu',
    label: 'CPU',
    value: (c) => c.cpu,
    display: (c) => formatPercent(c.cpu),
    numeric: true,
  },
  {
    key: 'memory',
    label: 'Memory',
    value: (c) => c.memory,
    display: (c) =>
      c.memoryLimit > 0
        ? `${formatBytes(c.memory)} / ${formatBytes(c.memoryLimit)}`
        : formatBytes(c.memory),
    numeric: true,
  },
  {
    key: 'network',
    label: 'Net rx / tx',
    value: (c) => c.networkRx + c.networkTx,
    display: (c) => `${formatBytes(c.networkRx)} / ${formatBytes(c.networkTx)}`,
    numeric: true,
  },
  {
    key: 'block',
    label: 'Block r / w',
    value: (c) => c.blockRead + c.blockWrite,
    display: (c) => `${formatBytes(c.blockRead)} / ${formatBytes(c.blockWrite)}`,
    numeric: true,
  },
];

export const SERVICE_COLUMNS: readonly TableColumn<SystemdService>[] = [
  { key: 'name', label: 'Unit', value: (s) => s.name },
  { key: 'description', label: 'Description', value: (s) => s.description },
  { key: 'load', label: 'Load', value: (s) => s.load },
  { key: 'state', label: 'Active', value: (s) => s.state, level: serviceLevel },
  { key: 'subState', label: 'Sub', value: (s) => s.subState },
];
