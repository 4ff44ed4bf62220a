import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplayEngine } from '../test/docker-engine';
import { fixtureJson } from '../test/fixtures';
import {
  containerBlockIo,
  containerCpuPercent,
  containerMemory,
  containerMetrics,
  containerNetwork,
  DockerClient,
  DockerReader,
  readCpuStats,
} from './docker';

const NGINX = 'a1b2c3d4e5f6';
const PG = 'f0e1d2c3b4a5';
const MIGRATE = '0123456789ab';

describe(readCpuStats.name, () => {
  it('reads cpu_stats and treats the empty precpu_stats of one-shot responses as missing', () => {
    const stats = fixtureJson('docker', `stats-${NGINX}-1.json`);
    expect(readCpuStats(stats, 'cpu_stats')).toEqual({
      total: 1203000000,
      system: 98765430000000,
      onlineCpus: 4,
    });
    expect(readCpuStats(stats, 'precpu_stats')).toBeNull();
  });

  it('counts percpu_usage when online_cpus is absent (old engines)', () => {
    expect(readCpuStats(fixtureJson('docker', `stats-${PG}-1.json`), 'cpu_stats')?.onlineCpus).toBe(
      4,
    );
  });
});

describe(containerCpuPercent.name, () => {
  it('scales the share of host CPU time by the CPU count, like docker stats', () => {
    const stats = fixtureJson('docker', `stats-${PG}-1.json`);
    const cur = readCpuStats(stats, 'cpu_stats');
    const pre = readCpuStats(stats, 'precpu_stats');
    expect(cur && containerCpuPercent(cur, pre)).toBe(50);
  });

  it('is 0 without a previous reading or when counters went backwards', () => {
    const cur = { total: 100, system: 1000, onlineCpus: 2 };
    expect(containerCpuPercent(cur, null)).toBe(0);
    expect(containerCpuPercent(cur, { total: 200, system: 500, onlineCpus: 2 })).toBe(0);
  });
});

describe(containerMemory.name, () => {
  it('subtracts inactive file cache on cgroup v2 and v1', () => {
    expect(containerMemory(fixtureJson('docker', `stats-${NGINX}-1.json`))).toEqual({
      used: 52428800 - 10485760,
      limit: 16709488640,
    });
    expect(containerMemory(fixtureJson('docker', `stats-${PG}-1.json`))).toEqual({
      used: 209715200 - 52428800,
      limit: 2147483648,
    });
  });
});

describe(containerNetwork.name, () => {
  it('sums every network of the container', () => {
    expect(containerNetwork(fixtureJson('docker', `stats-${PG}-1.json`))).toEqual({
      rx: 301000,
      tx: 402000,
    });
  });
});

describe(containerBlockIo.name, () => {
  it('reads both the lowercase (v2) and capitalised (v1) op names, ignoring totals', () => {
    expect(containerBlockIo(fixtureJson('docker', `stats-${NGINX}-1.json`))).toEqual({
      read: 12288000,
      write: 4096,
    });
    expect(containerBlockIo(fixtureJson('docker', `stats-${PG}-1.json`))).toEqual({
      read: 73400320,
      write: 20971520,
    });
  });
});

describe(containerMetrics.name, () => {
  it('maps a stopped container from its list entry and inspect response', () => {
    const [, , migrate] = fixtureJson('docker', 'containers.json') as unknown[];
    expect(
      containerMetrics(migrate, fixtureJson('docker', `inspect-${MIGRATE}.json`), null, 0),
    ).toEqual({
      id: MIGRATE,
      name: 'shop-migrate-1',
      image: 'shop/migrate:2.4.0',
      status: 'Exited (0) 2 hours ago',
      state: 'exited',
      health: null,
      restarts: 0,
      cpu: 0,
      memory: 0,
      memoryLimit: 0,
      networkRx: 0,
      networkTx: 0,
      blockRead: 0,
      blockWrite: 0,
    });
  });
});

describe(DockerReader.name, () => {
  let dir: string;
  let socketPath: string;
  let engine: ReplayEngine;
  let client: DockerClient;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyto-docker-'));
    socketPath = join(dir, 'docker.sock');
    engine = new ReplayEngine();
    await engine.listen(socketPath);
    client = new DockerClient(socketPath);
  });
  afterEach(async () => {
    client.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every container with health, restarts and usage', async () => {
    const state = await new DockerReader(client).read();
    expect(state.reason).toBeNull();
    expect(state.containers.map((c) => [c.name, c.state, c.health, c.restarts])).toEqual([
      ['web-nginx', 'running', 'healthy', 0],
      ['shop-db-1', 'running', null, 3],
      ['shop-migrate-1', 'exited', null, 0],
    ]);
    expect(state.containers[1]).toMatchObject({
      cpu: 50,
      memory: 157286400,
      memoryLimit: 2147483648,
      networkRx: 301000,
      blockRead: 73400320,
    });
    // Stats are only asked for running containers.
    expect(engine.requests.filter((r) => r.includes('/stats')).length).toBe(2);
  });

  it('computes one-shot CPU % against its own previous refresh', async () => {
    const reader = new DockerReader(client);
    const first = await reader.read();
    expect(first.containers[0].cpu).toBe(0);
    const second = await reader.read();
    // 2 s of container CPU over 120 s of host CPU on 4 cores
    expect(second.containers[0].cpu).toBe(6.67);
    expect(second.containers[0].networkRx).toBe(2097152);
  });

  it('is available with no containers', async () => {
    engine.list = 'containers-empty.json';
    expect(await new DockerReader(client).read()).toEqual({ containers: [], reason: null });
  });

  it('reports the engine error message', async () => {
    engine.failWith = 500;
    const state = await new DockerReader(client).read();
    expect(state.containers).toEqual([]);
    expect(state.reason).toBe(
      'Docker API 500: Error response from daemon: dial unix /run/containerd/containerd.sock: connect: connection refused',
    );
  });

  it('says the socket is missing when there is no engine', async () => {
    const missing = new DockerClient(join(dir, 'nope.sock'));
    const state = await new DockerReader(missing).read();
    missing.close();
    expect(state).toEqual({
      containers: [],
      reason: `Docker socket not found at ${join(dir, 'nope.sock')}`,
    });
  });
});
