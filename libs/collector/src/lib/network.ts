import type { NetworkInterfaceInfo } from 'node:os';
import type { NetworkInterfaceMetrics } from '@tyto/contracts';
import { ByteCursor, rate, round2 } from './read';

/** Cumulative counters of one /proc/net/dev line. */
export interface NetCounters {
  rxBytes: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txErrors: number;
  txDropped: number;
}

const cursor = new ByteCursor();

export function parseNetDev(buf: Buffer, len = buf.length): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  const c = cursor.reset(buf, 0, len);
  c.nextLine(); // two header lines
  c.nextLine();
  while (!c.done) {
    c.skipBlanks();
    const colon = buf.indexOf(0x3a, c.pos);
    const eol = buf.indexOf(0x0a, c.pos);
    if (colon < 0 || (eol >= 0 && colon > eol) || colon >= len) {
      c.nextLine();
      continue;
    }
    const name = buf.toString('latin1', c.pos, colon);
    // Old kernels print "eth0:123" with no blank when the byte counter is wide.
    c.pos = colon + 1;
    const rxBytes = c.number();
    c.skipToken(); // packets
    const rxErrors = c.number();
    const rxDropped = c.number();
    c.skipToken(); // fifo
    c.skipToken(); // frame
    c.skipToken(); // compressed
    c.skipToken(); // multicast
    const txBytes = c.number();
    c.skipToken(); // packets
    const txErrors = c.number();
    const txDropped = c.number();
    if (!Number.isNaN(txDropped)) {
      out.set(name, { rxBytes, rxErrors, rxDropped, txBytes, txErrors, txDropped });
    }
    c.nextLine();
  }
  return out;
}

/** What sysfs says about an interface; mac and speed change rarely and are cached. */
export interface LinkInfo {
  mac: string | null;
  speed: number | null;
  up: boolean;
}

/** Picks the addresses to show: the first IPv4, and a global IPv6 before a link-local one. */
export function pickAddresses(addrs: NetworkInterfaceInfo[] | undefined): {
  ipv4: string | null;
  ipv6: string | null;
} {
  let ipv4: string | null = null;
  let ipv6: string | null = null;
  let ipv6LinkLocal: string | null = null;
  for (const a of addrs ?? []) {
    if (a.family === 'IPv4') {
      ipv4 ??= a.address;
    } else if (a.address.toLowerCase().startsWith('fe80:')) {
      ipv6LinkLocal ??= a.address;
    } else {
      ipv6 ??= a.address;
    }
  }
  return { ipv4, ipv6: ipv6 ?? ipv6LinkLocal };
}

// veth ends are the host side of container interfaces; their traffic shows on the bridge.
const SKIPPED_INTERFACE = /^veth/;

/**
 * The interface list with rates. An interface that appeared since the last reading gets zero
 * rates; a counter that went backwards (driver reset, interface recreated) gives zero.
 */
export function interfaceMetrics(
  current: Map<string, NetCounters>,
  previous: Map<string, NetCounters> | undefined,
  seconds: number,
  links: (name: string) => LinkInfo,
  addresses: NodeJS.Dict<NetworkInterfaceInfo[]>,
): NetworkInterfaceMetrics[] {
  const out: NetworkInterfaceMetrics[] = [];
  for (const [name, cur] of current) {
    if (SKIPPED_INTERFACE.test(name)) continue;
    const prev = previous?.get(name);
    const link = links(name);
    const { ipv4, ipv6 } = pickAddresses(addresses[name]);
    out.push({
      name,
      ipv4,
      ipv6,
      mac: link.mac,
      speed: link.speed,
      up: link.up,
      rxBytes: cur.rxBytes,
      txBytes: cur.txBytes,
      rxRate: round2(rate(cur.rxBytes, prev?.rxBytes, seconds)),
      txRate: round2(rate(cur.txBytes, prev?.txBytes, seconds)),
      rxErrors: cur.rxErrors,
      txErrors: cur.txErrors,
      rxDropped: cur.rxDropped,
      txDropped: cur.txDropped,
    });
  }
  return out;
}

/** `operstate` is authoritative except for "unknown" (loopback, tun), where IFF_UP decides. */
export function isLinkUp(operstate: string | null, flags: number | null): boolean {
  if (operstate === 'up') return true;
  if (operstate === 'unknown' || operstate === null) return flags !== null && (flags & 1) === 1;
  return false;
}

/** Parses sysfs `flags` ("0x1003"). */
export function parseHexFlags(text: string | null): number | null {
  if (text === null) return null;
  const value = Number.parseInt(text, 16);
  return Number.isNaN(value) ? null : value;
}

/** Link speed in Mbit/s; sysfs says -1 (or refuses the read) when there is no link. */
export function parseSpeed(text: string | null): number | null {
  if (text === null) return null;
  const value = Number.parseInt(text, 10);
  return Number.isFinite(value) && value > 0 ? value : null;
}

// include/net/tcp_states.h
const TCP_STATES = [
  '',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
];

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Adds the sockets of one /proc/net/tcp or tcp6 table to `counts`, indexed by kernel state
 * number. Only the `st` column is decoded.
 */
export function countTcpStates(buf: Buffer, len: number, counts: number[]): void {
  const c = cursor.reset(buf, 0, len);
  c.nextLine(); // header
  while (!c.done) {
    c.skipToken(); // sl
    c.skipToken(); // local address
    c.skipToken(); // remote address
    c.skipBlanks();
    const hi = hexDigit(buf[c.pos]);
    const lo = hexDigit(buf[c.pos + 1]);
    if (hi >= 0 && lo >= 0) {
      const state = hi * 16 + lo;
      counts[state] = (counts[state] ?? 0) + 1;
    }
    c.nextLine();
  }
}

export interface TcpSummary {
  /** Sockets that are connections: every state but LISTEN, i.e. the sum of those states. */
  connectionCount: number;
  connectionsByState: Record<string, number>;
  /** LISTEN sockets. */
  listening: number;
}

export function summarizeTcp(counts: number[]): TcpSummary {
  const connectionsByState: Record<string, number> = {};
  let connectionCount = 0;
  let listening = 0;
  for (let state = 1; state < counts.length; state++) {
    const n = counts[state];
    if (!n) continue;
    const name = TCP_STATES[state] ?? `STATE_${state}`;
    connectionsByState[name] = n;
    if (name === 'LISTEN') listening += n;
    else connectionCount += n;
  }
  return { connectionCount, connectionsByState, listening };
}
