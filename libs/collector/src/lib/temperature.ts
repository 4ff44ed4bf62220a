import { readdirSync } from 'node:fs';
import type { TemperatureSensor } from '@tyto/contracts';
import type { FileReader } from './read';
import { naturalCompare, round2 } from './read';

/** A sensor found in sysfs: where to read it and its fixed limits. */
export interface SensorSource {
  name: string;
  /** File with the reading in millidegrees Celsius. */
  path: string;
  high: number | null;
  critical: number | null;
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function milli(value: number | null): number | null {
  return value === null ? null : round2(value / 1000);
}

/**
 * Finds hwmon temperature channels and thermal zones. Labels and limits do not change, so they
 * are read here once; a sample then reads only the `*_input`/`temp` files. Thermal zones that
 * also registered a hwmon device of the same name are skipped to avoid listing them twice.
 */
export function discoverSensors(sysRoot: string, reader: FileReader): SensorSource[] {
  const found: {
    chip: string;
    label: string | null;
    k: string;
    src: Omit<SensorSource, 'name'>;
  }[] = [];
  const chips = new Set<string>();
  const hwmonRoot = `${sysRoot}/class/hwmon`;
  for (const hw of listDir(hwmonRoot).sort(naturalCompare)) {
    let dir = `${hwmonRoot}/${hw}`;
    let files = listDir(dir);
    // Kernels before 3.15 keep the attributes one level down.
    if (!files.some((f) => f.startsWith('temp'))) {
      dir = `${dir}/device`;
      files = listDir(dir);
    }
    const chip = reader.line(`${hwmonRoot}/${hw}/name`) ?? reader.line(`${dir}/name`) ?? hw;
    chips.add(chip);
    for (const file of files.sort(naturalCompare)) {
      const m = /^temp(\d+)_input$/.exec(file);
      if (!m) continue;
      const k = m[1];
      found.push({
        chip,
        k,
        label: reader.line(`${dir}/temp${k}_label`),
        src: {
          path: `${dir}/${file}`,
          high: milli(reader.int(`${dir}/temp${k}_max`)),
          critical: milli(reader.int(`${dir}/temp${k}_crit`)),
        },
      });
    }
  }

  const zonesRoot = `${sysRoot}/class/thermal`;
  const zones: SensorSource[] = [];
  for (const zone of listDir(zonesRoot).sort(naturalCompare)) {
    if (!zone.startsWith('thermal_zone')) continue;
    const dir = `${zonesRoot}/${zone}`;
    const type = reader.line(`${dir}/type`) ?? zone;
    if (chips.has(type)) continue;
    let high: number | null = null;
    let critical: number | null = null;
    for (const file of listDir(dir).sort(naturalCompare)) {
      const m = /^trip_point_(\d+)_type$/.exec(file);
      if (!m) continue;
      const kind = reader.line(`${dir}/${file}`);
      const temp = milli(reader.int(`${dir}/trip_point_${m[1]}_temp`));
      if (kind === 'critical') critical ??= temp;
      else if (kind === 'hot' || kind === 'passive') high ??= temp;
    }
    zones.push({ name: type, path: `${dir}/temp`, high, critical });
  }

  // A label alone ("Core 0") reads best; prefix the chip only where labels repeat (two NVMe
  // drives both say "Composite").
  const labelCount = new Map<string, number>();
  for (const f of found) if (f.label) labelCount.set(f.label, (labelCount.get(f.label) ?? 0) + 1);
  const used = new Map<string, number>();
  const sensors = found.map((f) => {
    let name = !f.label
      ? `${f.chip} temp${f.k}`
      : labelCount.get(f.label) === 1
        ? f.label
        : `${f.chip} ${f.label}`;
    // Two drives of the same model give the same chip and label: number the later ones.
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    if (n > 1) name = `${name} #${n}`;
    return { name, ...f.src };
  });
  return [...sensors, ...zones];
}

/** Reads the current values; a sensor that fails to read (device asleep) is left out. */
export function readSensors(sources: SensorSource[], reader: FileReader): TemperatureSensor[] {
  const out: TemperatureSensor[] = [];
  for (const s of sources) {
    const value = reader.int(s.path);
    // Below absolute zero means "no reading" on some drivers.
    if (value === null || value <= -273000) continue;
    out.push({ name: s.name, value: round2(value / 1000), high: s.high, critical: s.critical });
  }
  return out;
}
