import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeBinary, FAKE_NVIDIA_SMI } from '../test/fake-binaries';
import { fixturePath, fixtureText } from '../test/fixtures';
import {
  discoverDrmGpus,
  findExecutable,
  NvidiaBlockAssembler,
  NvidiaSmiLoop,
  parseNvidiaCsv,
  parseNvidiaCsvLine,
  readDrmGpu,
} from './gpu';
import { FileReader } from './read';

const MIB = 1024 * 1024;
const FAKE = fixturePath(...FAKE_NVIDIA_SMI);

describe(parseNvidiaCsvLine.name, () => {
  it('converts MiB to bytes and keeps the other units', () => {
    expect(parseNvidiaCsvLine('0, NVIDIA GeForce RTX 3080, 45, 4012, 10240, 65, 220.35')).toEqual({
      index: 0,
      name: 'NVIDIA GeForce RTX 3080',
      vendor: 'nvidia',
      utilization: 45,
      memoryUsed: 4012 * MIB,
      memoryTotal: 10240 * MIB,
      temperature: 65,
      powerWatts: 220.35,
    });
  });

  it('turns [N/A], [Not Supported] and other bracketed fields into null', () => {
    const gpus = parseNvidiaCsv(fixtureText('nvidia-smi', 'na-fields.csv'));
    expect(gpus.map((g) => [g.utilization, g.memoryUsed, g.temperature, g.powerWatts])).toEqual([
      [0, 0, 38, null],
      [null, 312 * MIB, 40, null],
      [null, null, null, 61.2],
    ]);
    expect(gpus[2].name).toBe('NVIDIA A100-SXM4-40GB MIG 3g.20gb');
  });

  it('keeps a name that contains a comma', () => {
    expect(parseNvidiaCsvLine('1, Quadro RTX, 8000, 1, 2, 3, 4, 5')?.name).toBe('Quadro RTX, 8000');
  });

  it('rejects lines that are not GPU rows', () => {
    expect(parseNvidiaCsvLine('No devices were found')).toBeNull();
    expect(parseNvidiaCsvLine('x, a, 1, 2, 3, 4, 5')).toBeNull();
  });
});

describe(parseNvidiaCsv.name, () => {
  it('reads every GPU of a block', () => {
    expect(parseNvidiaCsv(fixtureText('nvidia-smi', 'two-gpus.csv')).map((g) => g.index)).toEqual([
      0, 1,
    ]);
  });

  it('keeps only the last block of loop output', () => {
    const gpus = parseNvidiaCsv(fixtureText('nvidia-smi', 'loop-three-blocks.csv'));
    expect(gpus.map((g) => g.utilization)).toEqual([55, null]);
  });
});

describe(NvidiaBlockAssembler.name, () => {
  it('starts a new block when the index does not increase, and keeps error text', () => {
    const a = new NvidiaBlockAssembler();
    expect(a.push('0, A, 1, 1, 1, 1, 1')).toBeNull();
    expect(a.push('1, B, 2, 2, 2, 2, 2')).toBeNull();
    expect(a.push('0, A, 3, 3, 3, 3, 3')?.map((g) => g.utilization)).toEqual([1, 2]);
    expect(a.flush()?.map((g) => g.utilization)).toEqual([3]);
    expect(a.flush()).toBeNull();
    a.push('Unable to determine the device handle for GPU 0000:01:00.0: Unknown Error');
    expect(a.message).toMatch(/Unknown Error/);
  });
});

describe(findExecutable.name, () => {
  it('searches PATH without forking and checks the execute bit', () => {
    expect(findExecutable('node')).toMatch(/\/node$/);
    expect(findExecutable(FAKE)).toBe(FAKE);
    expect(findExecutable(fixturePath('nvidia-smi', 'two-gpus.csv'))).toBeNull();
    expect(findExecutable('nvidia-smi-does-not-exist')).toBeNull();
  });
});

describe(NvidiaSmiLoop.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tyto-nvidia-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs one loop-mode child with the documented query and follows its blocks', async () => {
    const argsFile = join(dir, 'args.json');
    const loop = new NvidiaSmiLoop(
      fakeBinary(dir, 'nvidia-smi', FAKE_NVIDIA_SMI, { TYTO_FAKE_NVIDIA_SMI_ARGS: argsFile }),
      1,
      60_000,
    );
    try {
      loop.start();
      await loop.ready(5000);
      expect(loop.state().reason).toBeNull();
      expect(loop.state().gpus.map((g) => g.utilization)).toEqual([12, 0]);
      expect(JSON.parse(readFileSync(argsFile, 'utf8'))).toEqual([
        '--query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw',
        '--format=csv,noheader,nounits',
        '-l',
        '1',
      ]);
      // The child prints the next block a second later, without being started again.
      await waitFor(() => loop.state().gpus[0]?.utilization === 87, 5000);
      expect(loop.state().gpus[0]).toMatchObject({ memoryUsed: 8400 * MIB, powerWatts: 301.55 });
    } finally {
      await loop.stop();
    }
  });

  it('says nvidia-smi was not found when it is not installed', async () => {
    const loop = new NvidiaSmiLoop('nvidia-smi-does-not-exist', 30, 60_000);
    loop.start();
    await loop.ready(1000);
    expect(loop.state()).toEqual({ gpus: [], reason: 'nvidia-smi-does-not-exist not found' });
    await loop.stop();
  });

  it('reports the driver error nvidia-smi prints before exiting', async () => {
    const loop = new NvidiaSmiLoop(
      fakeBinary(dir, 'nvidia-smi', FAKE_NVIDIA_SMI, { TYTO_FAKE_NVIDIA_SMI_FAIL: '1' }),
      30,
      60_000,
    );
    loop.start();
    await loop.ready(5000);
    expect(loop.state().gpus).toEqual([]);
    expect(loop.state().reason).toMatch(/couldn't communicate with the NVIDIA driver/);
    await loop.stop();
  });

  it('treats a child that went silent as failed', async () => {
    let now = 0;
    const loop = new NvidiaSmiLoop(FAKE, 1, 60_000, () => now);
    try {
      loop.start();
      await loop.ready(5000);
      expect(loop.state().reason).toBeNull();
      now += 60_000;
      expect(loop.state()).toEqual({ gpus: [], reason: `${FAKE} stopped reporting` });
    } finally {
      await loop.stop();
    }
  });

  it('kills the child on stop', async () => {
    const loop = new NvidiaSmiLoop(FAKE, 1, 60_000);
    loop.start();
    await loop.ready(5000);
    const pid = (loop as unknown as { child: { pid: number } }).child.pid;
    await loop.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe(discoverDrmGpus.name, () => {
  const reader = new FileReader();

  it('finds AMD and Intel cards and ignores connectors and render nodes', () => {
    const gpus = discoverDrmGpus(fixturePath('host-workstation', 'sys'), reader);
    expect(gpus.map((g) => [g.index, g.vendor, g.name, g.hwmon !== null])).toEqual([
      [0, 'amd', 'AMD GPU 0x73bf', true],
      [1, 'intel', 'Intel GPU 0x4680', false],
    ]);
  });

  it('finds nothing without /sys/class/drm', () => {
    expect(discoverDrmGpus(fixturePath('host-vm', 'sys'), reader)).toEqual([]);
  });
});

describe(readDrmGpu.name, () => {
  it('reads amdgpu busy %, VRAM, temperature and power; Intel only what sysfs has', () => {
    const reader = new FileReader();
    const [amd, intel] = discoverDrmGpus(fixturePath('host-workstation', 'sys'), reader);
    expect(readDrmGpu(amd, reader)).toEqual({
      index: 0,
      name: 'AMD GPU 0x73bf',
      vendor: 'amd',
      utilization: 37,
      memoryUsed: 2147483648,
      memoryTotal: 17163091968,
      temperature: 52,
      powerWatts: 45,
    });
    expect(readDrmGpu(intel, reader)).toEqual({
      index: 1,
      name: 'Intel GPU 0x4680',
      vendor: 'intel',
      utilization: null,
      memoryUsed: null,
      memoryTotal: null,
      temperature: null,
      powerWatts: null,
    });
  });
});

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
