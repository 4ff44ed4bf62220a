import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '../test/fixtures';
import { FileReader } from './read';
import { discoverSensors, readSensors } from './temperature';

describe(discoverSensors.name, () => {
  const reader = new FileReader();

  it('finds hwmon channels and thermal zones with their limits, once each', () => {
    const sensors = discoverSensors(fixturePath('host-workstation', 'sys'), reader);
    expect(sensors.map((s) => [s.name, s.high, s.critical])).toEqual([
      ['Package id 0', 80, 100],
      ['Core 0', 80, 100],
      ['Core 1', 80, 100],
      ['nvme Composite', 84.85, 84.85],
      ['Sensor 1', null, null],
      ['nvme Composite #2', 81.85, 84.85],
      ['acpitz temp1', null, 105],
      // Kernels before 3.15 keep the attributes under device/.
      ['it87 temp1', null, null],
      ['edge', null, 100],
      ['drivetemp temp1', null, null],
      // thermal_zone0 (acpitz) is skipped: hwmon already lists it.
      ['x86_pkg_temp', 95, 105],
    ]);
  });

  it('finds nothing on a host without sensors (this VM)', () => {
    expect(discoverSensors(fixturePath('host-vm', 'sys'), reader)).toEqual([]);
  });
});

describe(readSensors.name, () => {
  it('reads °C values and leaves out a sensor that fails to read', () => {
    const reader = new FileReader();
    const values = readSensors(
      discoverSensors(fixturePath('host-workstation', 'sys'), reader),
      reader,
    );
    expect(values).toHaveLength(10);
    expect(values.find((s) => s.name === 'drivetemp temp1')).toBeUndefined();
    expect(values[0]).toEqual({ name: 'Package id 0', value: 45, high: 80, critical: 100 });
    expect(values.find((s) => s.name === 'nvme Composite')?.value).toBe(38.85);
    expect(values.find((s) => s.name === 'x86_pkg_temp')?.value).toBe(45);
  });

  it('skips readings at or below absolute zero (drivers use them for "no value")', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tyto-temp-'));
    try {
      writeFileSync(join(dir, 'a'), '-273150\n');
      writeFileSync(join(dir, 'b'), '-5000\n');
      const reader = new FileReader();
      const sensors = readSensors(
        [
          { name: 'none', path: join(dir, 'a'), high: null, critical: null },
          { name: 'cold', path: join(dir, 'b'), high: null, critical: null },
        ],
        reader,
      );
      expect(sensors).toEqual([{ name: 'cold', value: -5, high: null, critical: null }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
