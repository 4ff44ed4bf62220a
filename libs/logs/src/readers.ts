import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DOCKER_SOCKET, DockerReader } from './docker-reader';
import { FileReader } from './file-reader';
import { JournalReader } from './journal-reader';
import { LogStateStore } from './state';
import { reportOnce, type LogReader, type LogReport, type LogSink } from './types';

/** `auto`: on when the source is present on this host. */
export type SourceSwitch = 'auto' | 'on' | 'off';

export interface LogReadersConfig {
  sink: LogSink;
  report: LogReport;
  /** Paths and globs of files to follow. */
  files: string[];
  journal: SourceSwitch;
  docker: SourceSwitch;
  /** Where offsets and cursors are kept; null: in memory (every start begins afresh). */
  stateFile: string | null;
  journalctl?: string;
  journalArgs?: string[];
  journalDirs?: string[];
  dockerSocket?: string;
  pollMs?: number;
  scanMs?: number;
}

const JOURNAL_DIRS = ['/run/log/journal', '/var/log/journal'];

/** The executable `name` resolves to through PATH (or itself when it holds a slash), or null. */
export function findExecutable(name: string, pathVar = process.env['PATH'] ?? ''): string | null {
  const candidates = name.includes('/')
    ? [name]
    : pathVar
        .split(':')
        .filter(Boolean)
        .map((d) => path.join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      // not this one
    }
  }
  return null;
}

/** True when a journal directory holds anything (journald writes one folder per machine id). */
export function journalPresent(dirs = JOURNAL_DIRS): boolean {
  return dirs.some((d) => {
    try {
      return readdirSync(d).length > 0;
    } catch {
      return false;
    }
  });
}

function socketPresent(p: string): boolean {
  try {
    return statSync(p).isSocket();
  } catch {
    return false;
  }
}

/**
 * Starts the readers this host has: the files named, the journal and Docker when switched on
 * (or, for `auto`, when present). A source that is missing is reported once and never stops the
 * others. Returns the started readers and the state store they share.
 */
export function startLogReaders(cfg: LogReadersConfig): {
  readers: LogReader[];
  state: LogStateStore;
} {
  const report = reportOnce(cfg.report);
  const state = new LogStateStore(cfg.stateFile);
  const readers: LogReader[] = [];
  if (cfg.files.length > 0) {
    readers.push(
      new FileReader({
        patterns: cfg.files,
        sink: cfg.sink,
        state,
        report,
        pollMs: cfg.pollMs,
        scanMs: cfg.scanMs,
      }),
    );
  }
  if (cfg.journal !== 'off') {
    const bin = findExecutable(cfg.journalctl ?? 'journalctl');
    const present = bin !== null && journalPresent(cfg.journalDirs);
    if (cfg.journal === 'on' || present) {
      readers.push(
        new JournalReader({
          sink: cfg.sink,
          state,
          report,
          journalctl: bin ?? cfg.journalctl,
          args: cfg.journalArgs,
        }),
      );
    } else {
      report(
        bin === null
          ? 'journal: journalctl not found, the journal is not read'
          : 'journal: no journal on this host, the journal is not read',
      );
    }
  }
  if (cfg.docker !== 'off') {
    const socketPath = cfg.dockerSocket ?? DEFAULT_DOCKER_SOCKET;
    if (cfg.docker === 'on' || socketPresent(socketPath)) {
      readers.push(
        new DockerReader({ sink: cfg.sink, state, report, socketPath, scanMs: cfg.scanMs }),
      );
    } else {
      report(`docker: no Engine API socket at ${socketPath}, container logs are not read`);
    }
  }
  for (const r of readers) r.start();
  return { readers, state };
}
