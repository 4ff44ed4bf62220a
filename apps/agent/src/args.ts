/** Command-line options of the agent. */
export interface AgentOptions {
  /** Print one sample and exit. */
  once: boolean;
  /** Seconds between samples. */
  interval: number;
  /** Agent id put in every sample. */
  id: string;
}

export class UsageError extends Error {}

export const USAGE = `usage: tyto-agent [--once] [--interval SECONDS] [--id AGENT_ID]
  Samples this host with the Tyto collector and writes one JSON snapshot per line to stdout.`;

/** Parses argv (without node and script); throws UsageError with a one-line message. */
export function parseArgs(argv: readonly string[], defaults: { id: string }): AgentOptions {
  const opts: AgentOptions = { once: false, interval: 5, id: defaults.id };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--once':
        opts.once = true;
        break;
      case '--interval': {
        const raw = value();
        const n = Number(raw);
        if (!/^\d+$/.test(raw) || n < 1 || n > 3600)
          throw new UsageError(`--interval must be an integer 1–3600, got '${raw}'`);
        opts.interval = n;
        break;
      }
      case '--id': {
        const raw = value();
        if (!/^[A-Za-z0-9][\w.-]{0,127}$/.test(raw))
          throw new UsageError(`--id must be 1–128 letters, digits, '.', '_' or '-', got '${raw}'`);
        opts.id = raw;
        break;
      }
      default:
        throw new UsageError(`unknown option '${arg}'`);
    }
  }
  return opts;
}
