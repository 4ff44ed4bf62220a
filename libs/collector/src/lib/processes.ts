import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import type { ProcessSummary } from '@tyto/contracts';
import type { HostConstants } from './host-constants';
import type { FileReader } from './read';
import { ByteCursor, round2 } from './read';

/** The fields of /proc/[pid]/stat the sampler uses. */
export interface PidStat {
  /** One-letter state (R, S, D, Z, …). */
  state: string;
  /** utime + stime, in clock ticks. */
  ticks: number;
  /** Start time in clock ticks after boot; with the pid it identifies a process across pid reuse. */
  startTime: number;
  /** Resident pages. */
  rssPages: number;
  /** The `comm` field (executable name, 15 characters at most). */
  comm: string;
  /** A hash of `comm`, computed even when it is not decoded: it changes on exec. */
  commHash: number;
}

const cursor = new ByteCursor();
const STATE_NAMES: Record<number, string> = {};

/**
 * Parses /proc/[pid]/stat from bytes. `comm` may itself contain spaces and parentheses, so the
 * fields are counted from the last ')'. Returns false when the text is not a stat line.
 * `withComm: false` skips decoding the name, which the hot path does not need.
 */
export function parsePidStat(buf: Buffer, len: number, out: PidStat, withComm = true): boolean {
  let close = len - 1;
  while (close > 0 && buf[close] !== 0x29) close--;
  if (close <= 0) return false;
  const open = buf.indexOf(0x28);
  let hash = 0x811c9dc5;
  for (let i = open + 1; i < close; i++) hash = Math.imul(hash ^ buf[i], 0x01000193);
  out.commHash = hash;
  if (withComm) {
    out.comm = open >= 0 && open < close ? buf.toString('utf8', open + 1, close) : '';
  }
  const c = cursor.reset(buf, close + 1, len);
  c.skipBlanks();
  const code = buf[c.pos];
  out.state = STATE_NAMES[code] ??= String.fromCharCode(code);
  // Fields after comm: 3 state … 14 utime, 15 stime, 22 starttime, 24 rss.
  for (let field = 3; field < 14; field++) c.skipToken();
  const utime = c.number();
  const stime = c.number();
  for (let field = 16; field < 22; field++) c.skipToken();
  out.startTime = c.number();
  c.skipToken(); // vsize
  out.rssPages = c.number();
  out.ticks = utime + stime;
  return !Number.isNaN(out.rssPages);
}

/** Name and real uid from /proc/[pid]/status. */
export function parseStatus(text: string): { name: string; uid: number | null } {
  let name = '';
  let uid: number | null = null;
  const nameAt = text.startsWith('Name:') ? 0 : text.indexOf('\nName:') + 1;
  if (nameAt >= 0 && text.startsWith('Name:', nameAt)) {
    const end = text.indexOf('\n', nameAt);
    name = text.slice(nameAt + 5, end < 0 ? undefined : end).trim();
  }
  const uidAt = text.indexOf('\nUid:');
  if (uidAt >= 0) {
    const value = Number.parseInt(text.slice(uidAt + 5, uidAt + 32).trim(), 10);
    if (Number.isFinite(value)) uid = value;
  }
  return { name, uid };
}

/** uid → user name from an /etc/passwd file. */
export function parsePasswd(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(':', 4);
    const uid = Number.parseInt(parts[2] ?? '', 10);
    if (parts[0] && Number.isFinite(uid) && !out.has(uid)) out.set(uid, parts[0]);
  }
  return out;
}

/** The NUL-separated argv of /proc/[pid]/cmdline as one line; empty for kernel threads. */
export function formatCmdline(buf: Buffer, len: number, maxLength = 2048): string {
  let end = Math.min(len, maxLength);
  while (end > 0 && buf[end - 1] === 0) end--;
  const text = buf.toString('utf8', 0, end);
  return text.includes('\0') ? text.replace(/\0/g, ' ') : text;
}

// Option and variable names whose value is a credential.
const SECRET_NAME = String.raw`[\w.-]*(?:passw(?:or)?d|passphrase|(?<![a-z])pass(?![a-z])|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credentials?)[\w.-]*`;
// A value: a quoted string or a run of non-blanks.
const VALUE = String.raw`(?:"[^"]*"|'[^']*'|[^\s"']+)`;
const REDACTIONS: [RegExp, string][] = [
  // --password=x, -token=x, --db.password=x
  [new RegExp(String.raw`(^|\s)(--?${SECRET_NAME})=${VALUE}`, 'gi'), '$1$2=***'],
  // --password x (the next word, unless it is another option)
  [new RegExp(String.raw`(^|\s)(--?${SECRET_NAME})\s+(?!-)${VALUE}`, 'gi'), '$1$2 ***'],
  // PGPASSWORD=x, token=x, MYSQL_PWD=x; in a URL query the value ends at the next parameter
  [
    new RegExp(String.raw`(^|[\s;&?])(${SECRET_NAME})=(?:"[^"]*"|'[^']*'|[^\s"'&;]+)`, 'gi'),
    '$1$2=***',
  ],
  // scheme://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1***@'],
  // Authorization: Bearer x / Basic x
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***'],
  // mysql -pSECRET, sshpass -pSECRET: a password glued to -p
  [
    /(^|\s)((?:\S*\/)?(?:mysql|mysqldump|mariadb|mysqladmin|sshpass)\b.*?\s-p)(?!\s)\S+/g,
    '$1$2***',
  ],
];

/** Replaces credentials in a command line with `***`. */
export function redactCommand(command: string): string {
  let out = command;
  for (const [pattern, replacement] of REDACTIONS) out = out.replace(pattern, replacement);
  return out;
}

/** uid → user name, read from passwd once and re-read only when an unknown uid shows up. */
export class PasswdCache {
  private names = new Map<number, string>();
  private mtimeMs = -1;

  constructor(
    private readonly path: string,
    private readonly reader: FileReader,
  ) {
    this.load();
  }

  name(uid: number | null): string {
    if (uid === null) return '?';
    let name = this.names.get(uid);
    if (name === undefined && this.changed()) {
      this.load();
      name = this.names.get(uid);
    }
    // Users from LDAP/NSS are not in the file: show the number, as ps does.
    return name ?? String(uid);
  }

  private changed(): boolean {
    try {
      return statSync(this.path).mtimeMs !== this.mtimeMs;
    } catch {
      return false;
    }
  }

  private load(): void {
    try {
      this.mtimeMs = statSync(this.path).mtimeMs;
    } catch {
      return;
    }
    const text = this.reader.text(this.path);
    if (text !== null) this.names = parsePasswd(text);
  }
}

interface Description {
  name: string;
  user: string;
  command: string;
}

interface Entry {
  pid: number;
  statPath: string;
  /** Open descriptor on `stat`, re-read with pread each sample; -1 when none is held. */
  fd: number;
  startTime: number;
  ticks: number;
  /** % of one core over the last interval. */
  cpu: number;
  rssPages: number;
  commHash: number;
  seen: number;
  /** Name, user and redacted command, kept while the process stays in a top list. */
  desc: Description | null;
  descHash: number;
  describedAt: number;
}

// Re-read a listed process's status and cmdline this often (in samples) even if its name did not
// change, to pick up setproctitle() (postgres, nginx workers) and setuid.
const DESCRIBE_EVERY = 12;

export interface ProcessesSection {
  total: number;
  running: number;
  topByCpu: ProcessSummary[];
  topByMemory: ProcessSummary[];
}

/**
 * Walks /proc once per sample. Each process costs one pread of `stat` on a descriptor kept open
 * between samples (procfs regenerates the text on every read at offset 0): 5 µs instead of
 * 17 µs for open + read + close here. `status` and `cmdline` are read only for processes that
 * make a top list. State per pid lives in a map that is swept of exited processes each sample.
 */
export class ProcessSampler {
  private readonly entries = new Map<number, Entry>();
  private readonly stat: PidStat = {
    state: '',
    ticks: 0,
    startTime: 0,
    rssPages: 0,
    comm: '',
    commHash: 0,
  };
  private readonly topCpu: Entry[] = [];
  private readonly topMem: Entry[] = [];
  private generation = 0;
  private lastUptime: number | undefined;
  private heldFds = 0;
  /** The descriptor `readStat` just opened, for the caller to keep. */
  private openedFd = -1;

  /**
   * @param maxHeldFds descriptors kept open at most; past it, processes are read with
   *   open/read/close. Keep it well below RLIMIT_NOFILE (see openFileLimit).
   */
  constructor(
    private readonly procRoot: string,
    private readonly reader: FileReader,
    private readonly constants: HostConstants,
    private readonly passwd: PasswdCache,
    private readonly topN = 10,
    private readonly maxHeldFds = 1024,
  ) {}

  /** Closes every held descriptor. */
  close(): void {
    for (const entry of this.entries.values()) this.release(entry);
    this.entries.clear();
  }

  /**
   * @param seconds wall time since the previous sample (0 on the first)
   * @param uptime seconds since boot now, to tell processes born during the interval
   */
  sample(seconds: number, uptime: number): ProcessesSection {
    const gen = ++this.generation;
    const hz = this.constants.clockTicks;
    const bornAfter = this.lastUptime;
    this.lastUptime = uptime;
    const stat = this.stat;
    let total = 0;
    let running = 0;
    this.topCpu.length = 0;
    this.topMem.length = 0;

    let names: string[];
    try {
      names = readdirSync(this.procRoot);
    } catch {
      names = [];
    }
    for (const dir of names) {
      const first = dir.charCodeAt(0);
      if (first < 0x30 || first > 0x39) continue;
      const pid = +dir;
      let entry = this.entries.get(pid);
      const statPath = entry ? entry.statPath : `${this.procRoot}/${dir}/stat`;
      this.openedFd = -1;
      const len = this.readStat(entry, statPath);
      // Gone between readdir and open, or hidden by hidepid.
      if (len <= 0 || !parsePidStat(this.reader.buffer, len, stat, false)) {
        if (this.openedFd >= 0) this.closeOpened();
        continue;
      }
      total++;
      if (stat.state === 'R') running++;

      if (entry && entry.startTime === stat.startTime) {
        const delta = stat.ticks - entry.ticks;
        entry.cpu = seconds > 0 && delta > 0 ? (delta / hz / seconds) * 100 : 0;
      } else {
        // New process (or a reused pid): all of its CPU time falls in the interval only if it
        // started after the previous sample.
        const bornInInterval = bornAfter !== undefined && stat.startTime / hz >= bornAfter;
        const cpu = bornInInterval && seconds > 0 ? (stat.ticks / hz / seconds) * 100 : 0;
        entry ??= {
          pid,
          statPath,
          fd: -1,
          startTime: 0,
          ticks: 0,
          cpu: 0,
          rssPages: 0,
          commHash: 0,
          seen: 0,
          desc: null,
          descHash: 0,
          describedAt: 0,
        };
        entry.desc = null;
        entry.startTime = stat.startTime;
        entry.cpu = cpu;
        this.entries.set(pid, entry);
      }
      if (this.openedFd >= 0) {
        // A new descriptor: the old one (if any) belonged to a process that has exited.
        this.release(entry);
        entry.fd = this.openedFd;
      }
      entry.ticks = stat.ticks;
      entry.rssPages = stat.rssPages;
      entry.commHash = stat.commHash;
      entry.seen = gen;
      insertTop(this.topCpu, entry, this.topN, byCpu);
      insertTop(this.topMem, entry, this.topN, byMemory);
    }
    for (const [pid, entry] of this.entries) {
      if (entry.seen === gen) continue;
      this.release(entry);
      this.entries.delete(pid);
    }

    const summaries = new Map<number, ProcessSummary | null>();
    const summarize = (list: Entry[]): ProcessSummary[] => {
      const out: ProcessSummary[] = [];
      for (const e of list) {
        let s = summaries.get(e.pid);
        if (s === undefined) {
          s = this.describe(e);
          summaries.set(e.pid, s);
        }
        if (s) out.push(s);
      }
      return out;
    };
    return {
      total,
      running,
      topByCpu: summarize(this.topCpu),
      topByMemory: summarize(this.topMem),
    };
  }

  /**
   * Reads a process's stat into the shared buffer: through its held descriptor when it has one,
   * else by opening one (left in `openedFd` for the caller to keep), else, past the descriptor
   * budget, with a plain open/read/close.
   */
  private readStat(entry: Entry | undefined, path: string): number {
    const buf = this.reader.buffer;
    if (entry && entry.fd >= 0) {
      try {
        const n = readSync(entry.fd, buf, 0, buf.length, 0);
        if (n > 0) return n;
      } catch {
        // ESRCH: the process behind the descriptor exited; the pid may be someone else's now.
      }
      this.release(entry);
    }
    if (this.heldFds >= this.maxHeldFds) return this.reader.readOnce(path);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return -1;
    }
    this.heldFds++;
    this.openedFd = fd;
    try {
      return readSync(fd, buf, 0, buf.length, 0);
    } catch {
      return -1;
    }
  }

  private closeOpened(): void {
    closeSync(this.openedFd);
    this.heldFds--;
    this.openedFd = -1;
  }

  private release(entry: Entry): void {
    if (entry.fd < 0) return;
    closeSync(entry.fd);
    entry.fd = -1;
    this.heldFds--;
  }

  private describe(e: Entry): ProcessSummary | null {
    const fresh =
      e.desc !== null &&
      e.descHash === e.commHash &&
      this.generation - e.describedAt < DESCRIBE_EVERY;
    if (!fresh) {
      const base = `${this.procRoot}/${e.pid}`;
      const statusText = this.reader.text(`${base}/status`);
      if (statusText === null) return null; // exited since the walk
      const { name, uid } = parseStatus(statusText);
      const len = this.reader.read(`${base}/cmdline`);
      const cmdline = len > 0 ? formatCmdline(this.reader.buffer, len) : '';
      e.desc = {
        name,
        user: this.passwd.name(uid),
        // Kernel threads have no argv; ps shows their name in brackets.
        command: cmdline === '' ? `[${name}]` : redactCommand(cmdline),
      };
      e.descHash = e.commHash;
      e.describedAt = this.generation;
    }
    const desc = e.desc as Description;
    return {
      pid: e.pid,
      name: desc.name,
      user: desc.user,
      cpu: round2(e.cpu),
      memory: e.rssPages * this.constants.pageSize,
      command: desc.command,
    };
  }
}

function byCpu(a: Entry, b: Entry): number {
  // Idle hosts have many 0% processes: the busiest over their lifetime come first.
  return a.cpu - b.cpu || a.ticks - b.ticks;
}

function byMemory(a: Entry, b: Entry): number {
  return a.rssPages - b.rssPages;
}

/** Keeps `list` as the top `n` in descending order: O(n) per insert, no sort, no allocation. */
function insertTop(list: Entry[], entry: Entry, n: number, cmp: (a: Entry, b: Entry) => number) {
  if (n <= 0) return;
  if (list.length === n && cmp(entry, list[n - 1]) <= 0) return;
  let i = list.length < n ? list.length : n - 1;
  while (i > 0 && cmp(entry, list[i - 1]) > 0) {
    list[i] = list[i - 1];
    i--;
  }
  list[i] = entry;
}
