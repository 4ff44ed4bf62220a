import type { LogLine } from '@tyto/contracts';

/** Hosts the lines are spread over (line i belongs to host i mod HOSTS). */
export const HOSTS = 20;

// A deterministic generator: every run (and every bench using it) makes the same lines.
let seed = 7;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
/** Starts the sequence again: the next makeLine(0, …) is the first line of every run. */
export function restartLines(): void {
  seed = 7;
}
const VOCAB = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}x`);
// Zipf-like: low indexes far more often, as words in real logs are.
const word = () => VOCAB[Math.floor(VOCAB.length * rand() ** 3)];
const UNITS = ['nginx.service', 'sshd.service', 'postgresql.service', 'cron.service', 'kernel'];
const LEVELS = ['info', 'info', 'info', 'info', 'debug', 'warning', 'error'] as const;

/**
 * Line i of the log benches: ~12 words, a pid and a duration; `connection` in 30 % of lines
 * (the common word), `xyzzy` in 0.01 % (the rare one).
 */
export function makeLine(i: number, t0: number): { agentId: string; line: LogLine } {
  const words = Array.from({ length: 8 + Math.floor(rand() * 8) }, word);
  if (i % 10 < 3) words.splice(2, 0, 'connection');
  if (i % 10_000 === 5000) words.splice(1, 0, 'xyzzy');
  const message = `${words.join(' ')} pid=${1000 + (i % 5000)} took ${Math.floor(rand() * 900)}ms`;
  return {
    agentId: `host-${i % HOSTS}`,
    line: {
      timestamp: new Date(t0 + i * 10).toISOString(),
      source: 'journal',
      source_name: UNITS[i % UNITS.length],
      level: LEVELS[i % LEVELS.length],
      message,
      fields: { pid: String(1000 + (i % 5000)), comm: 'bench' },
    },
  };
}
