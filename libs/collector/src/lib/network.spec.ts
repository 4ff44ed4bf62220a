import type { NetworkInterfaceInfo } from 'node:os';
import { fixtureBuffer, fixtureJson } from '../test/fixtures';
import {
  countTcpStates,
  interfaceMetrics,
  isLinkUp,
  parseHexFlags,
  parseNetDev,
  parseSpeed,
  pickAddresses,
  summarizeTcp,
} from './network';
import type { LinkInfo } from './network';

const vmAddresses = fixtureJson('host-vm', 'network-interfaces.json') as NodeJS.Dict<
  NetworkInterfaceInfo[]
>;
const upLink = (): LinkInfo => ({ mac: null, speed: null, up: true });

describe(parseNetDev.name, () => {
  it('reads the counters of a captured /proc/net/dev', () => {
    const dev = parseNetDev(fixtureBuffer('host-vm', 'proc', 'net', 'dev'));
    expect([...dev.keys()]).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(dev.get('eth0')).toEqual({
      rxBytes: 608479005,
      rxErrors: 0,
      rxDropped: 0,
      txBytes: 1793044,
      txErrors: 0,
      txDropped: 0,
    });
  });

  it('reads errors and drops, and names glued to a wide counter (old kernels)', () => {
    const dev = parseNetDev(fixtureBuffer('host-workstation', 'proc', 'net', 'dev'));
    expect(dev.get('eth0')).toMatchObject({ rxErrors: 1, rxDropped: 2, txErrors: 0, txDropped: 3 });
    const glued = Buffer.from(
      'Inter-|\n face |\n  eth1:12345678901 10 0 0 0 0 0 0 99 9 0 0 0 0 0 0\n',
    );
    expect(parseNetDev(glued).get('eth1')).toMatchObject({ rxBytes: 12345678901, txBytes: 99 });
  });
});

describe(pickAddresses.name, () => {
  it('takes the first IPv4 and prefers a global IPv6 to a link-local one', () => {
    expect(pickAddresses(vmAddresses['eth0'])).toEqual({ ipv4: '192.0.2.2', ipv6: 'fd00::2' });
    expect(pickAddresses(vmAddresses['lo'])).toEqual({ ipv4: '127.0.0.1', ipv6: '::1' });
  });

  it('gives nulls for an interface with no address at all', () => {
    expect(vmAddresses['ifb0']).toBeUndefined();
    expect(pickAddresses(vmAddresses['ifb0'])).toEqual({ ipv4: null, ipv6: null });
  });

  it('falls back to the link-local IPv6 when that is all there is', () => {
    const only = [{ address: 'fe80::1', family: 'IPv6', internal: false } as NetworkInterfaceInfo];
    expect(pickAddresses(only)).toEqual({ ipv4: null, ipv6: 'fe80::1' });
  });
});

describe(interfaceMetrics.name, () => {
  const before = parseNetDev(fixtureBuffer('host-workstation', 'proc', 'net', 'dev'));
  const after = parseNetDev(fixtureBuffer('host-workstation-next', 'proc', 'net', 'dev'));

  it('computes rates and skips veth pairs', () => {
    const list = interfaceMetrics(after, before, 5, upLink, {});
    expect(list.map((i) => i.name)).toEqual(['lo', 'eth0', 'docker0', 'wlan0']);
    expect(list[0]).toMatchObject({ rxRate: 1000, txRate: 1000, rxBytes: 6000 });
  });

  it('reports 0, never a negative rate, when a counter wrapped', () => {
    const eth0 = interfaceMetrics(after, before, 5, upLink, {}).find((i) => i.name === 'eth0');
    expect(eth0).toMatchObject({ rxBytes: 1000, rxRate: 0, txRate: 1000000 });
  });

  it('gives an interface with no IPv4 null addresses and carries link facts through', () => {
    const dev = parseNetDev(fixtureBuffer('host-vm', 'proc', 'net', 'dev'));
    const links = (name: string): LinkInfo =>
      name === 'ifb0' ? { mac: '5a:06:93:53:d4:a6', speed: null, up: false } : upLink();
    const ifb0 = interfaceMetrics(dev, undefined, 0, links, vmAddresses).find(
      (i) => i.name === 'ifb0',
    );
    expect(ifb0).toMatchObject({ ipv4: null, ipv6: null, mac: '5a:06:93:53:d4:a6', up: false });
  });
});

describe(isLinkUp.name, () => {
  it('follows operstate, and IFF_UP where operstate is unknown (loopback, tun)', () => {
    expect(isLinkUp('up', null)).toBe(true);
    expect(isLinkUp('down', 0x1003)).toBe(false);
    expect(isLinkUp('dormant', 0x1003)).toBe(false);
    expect(isLinkUp('unknown', parseHexFlags('0x9'))).toBe(true);
    expect(isLinkUp('unknown', parseHexFlags('0x1002'))).toBe(false);
    expect(isLinkUp(null, null)).toBe(false);
  });
});

describe(parseSpeed.name, () => {
  it('is null for -1 (no link) and for unreadable files', () => {
    expect(parseSpeed('1000')).toBe(1000);
    expect(parseSpeed('-1')).toBeNull();
    expect(parseSpeed(null)).toBeNull();
  });
});

describe(countTcpStates.name, () => {
  it('counts sockets by state over tcp and tcp6', () => {
    const counts: number[] = [];
    for (const table of ['tcp', 'tcp6']) {
      const buf = fixtureBuffer('host-vm', 'proc', 'net', table);
      countTcpStates(buf, buf.length, counts);
    }
    expect(summarizeTcp(counts)).toEqual({
      connectionCount: 4,
      connectionsByState: { ESTABLISHED: 2, TIME_WAIT: 2, LISTEN: 11 },
      listening: 11,
    });
  });

  it('names every kernel state', () => {
    const counts: number[] = [];
    counts[8] = 1;
    counts[12] = 2;
    expect(summarizeTcp(counts).connectionsByState).toEqual({ CLOSE_WAIT: 1, NEW_SYN_RECV: 2 });
  });

  it('counts as connections exactly the sockets of every state but LISTEN', () => {
    const counts: number[] = [];
    counts[1] = 30; // ESTABLISHED
    counts[6] = 7; // TIME_WAIT
    counts[10] = 12; // LISTEN
    const { connectionCount, connectionsByState } = summarizeTcp(counts);
    const { LISTEN, ...connections } = connectionsByState;
    expect(LISTEN).toBe(12);
    expect(connectionCount).toBe(Object.values(connections).reduce((a, b) => a + b, 0));
  });
});
