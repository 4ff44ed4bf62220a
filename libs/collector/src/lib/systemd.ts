import type { ExecFileException } from 'node:child_process';
import type { SystemdService } from '@tyto/contracts';
import { asArray, asString, at } from './json';

/**
 * Services from `systemctl list-units --output=json` (systemd ≥ 246 prints the table as JSON).
 * Units that are only referenced, not installed (`not-found` and inactive), are left out:
 * `--all` lists dozens of them and nobody can act on them.
 */
export function parseSystemctlJson(text: string): SystemdService[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('systemctl did not print a JSON array');
  const out: SystemdService[] = [];
  for (const row of asArray(parsed)) {
    const name = asString(at(row, 'unit'));
    if (!name) continue;
    out.push({
      name,
      description: asString(at(row, 'description')) ?? '',
      load: asString(at(row, 'load')) ?? '',
      state: asString(at(row, 'active')) ?? '',
      subState: asString(at(row, 'sub')) ?? '',
    });
  }
  return out.filter(isRelevant);
}

/** The same table from `--plain --no-legend`, for systemd versions without JSON output. */
export function parseSystemctlPlain(text: string): SystemdService[] {
  const out: SystemdService[] = [];
  for (const raw of text.split('\n')) {
    // Failed units are marked with a leading bullet even in plain mode on some versions.
    const line = raw.replace(/^[\s\u25cf*]+/, '');
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m || !m[1].includes('.')) continue;
    out.push({ name: m[1], load: m[2], state: m[3], subState: m[4], description: m[5].trim() });
  }
  return out.filter(isRelevant);
}

function isRelevant(s: SystemdService): boolean {
  return !(s.load === 'not-found' && s.state === 'inactive');
}

export interface SystemdState {
  services: SystemdService[];
  reason: string | null;
}

interface ExecResult {
  stdout: string;
  stderr: string;
  error: ExecFileException | null;
}

async function run(command: string, args: string[], timeoutMs: number): Promise<ExecResult> {
  // Loaded on use: hosts without systemd never load child_process for it.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
        env: { ...process.env, SYSTEMD_COLORS: '0' },
      },
      (error, stdout, stderr) => resolve({ stdout, stderr, error }),
    );
  });
}

const BASE_ARGS = ['list-units', '--type=service', '--all', '--no-pager'];

/**
 * Runs systemctl (execFile, no shell) on the slow cadence. Tries JSON first and remembers when
 * this systemd cannot print it, so later refreshes go straight to the plain table.
 */
export class SystemdReader {
  private json = true;

  constructor(
    private readonly command = 'systemctl',
    private readonly timeoutMs = 10_000,
  ) {}

  async read(): Promise<SystemdState> {
    if (this.json) {
      const res = await run(this.command, [...BASE_ARGS, '--output=json'], this.timeoutMs);
      if (!res.error) {
        try {
          return { services: parseSystemctlJson(res.stdout), reason: null };
        } catch {
          this.json = false;
        }
      } else if (isUnsupportedOption(res.stderr)) {
        this.json = false;
      } else {
        return { services: [], reason: this.describe(res) };
      }
    }
    const res = await run(this.command, [...BASE_ARGS, '--plain', '--no-legend'], this.timeoutMs);
    if (res.error) return { services: [], reason: this.describe(res) };
    return { services: parseSystemctlPlain(res.stdout), reason: null };
  }

  private describe(res: ExecResult): string {
    if (res.error?.code === 'ENOENT') return `${this.command} not found`;
    if (res.error?.killed) return `${this.command} timed out after ${this.timeoutMs} ms`;
    // "System has not been booted with systemd as init system (PID 1). Can't operate."
    const first = res.stderr.split('\n').find((l) => l.trim() !== '');
    return first?.trim() ?? res.error?.message ?? `${this.command} failed`;
  }
}

function isUnsupportedOption(stderr: string): boolean {
  return /unrecognized option|invalid option|unknown output|Unknown output/i.test(stderr);
}
