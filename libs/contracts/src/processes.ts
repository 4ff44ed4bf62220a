import * as z from 'zod';
import { isoTimeString, safeString } from './strings';
import { AgentIdSchema } from './agents';

/**
 * The signals a user may send, by name and Linux number (x86, ARM: the architectures Tyto runs
 * on). Anything else is refused before any process is looked at.
 */
export const ALLOWED_SIGNALS = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
  SIGCONT: 18,
  SIGSTOP: 19,
} as const;
export type SignalName = keyof typeof ALLOWED_SIGNALS;
export const SIGNAL_NAMES = Object.keys(ALLOWED_SIGNALS) as SignalName[];

/** The highest pid Linux hands out (PID_MAX_LIMIT on 64-bit). */
export const PID_MAX = 4_194_304;

/** The allowed signal a number (`15`) or name (`"SIGTERM"`, `"TERM"`, any case) names, or null. */
export function toSignalName(v: number | string): SignalName | null {
  if (typeof v === 'number') return SIGNAL_NAMES.find((n) => ALLOWED_SIGNALS[n] === v) ?? null;
  const upper = v.toUpperCase();
  const name = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as SignalName;
  return SIGNAL_NAMES.includes(name) ? name : null;
}

/**
 * A signal by number or name; only the allowed set passes. (A refinement, not a transform:
 * the schema also documents the API; `toSignalName` gives the name.)
 */
export const SignalSchema = z
  .union([z.number().int(), safeString().max(16)])
  .refine((v) => toSignalName(v) !== null, {
    message: `must be one of ${SIGNAL_NAMES.map((n) => `${n} (${ALLOWED_SIGNALS[n]})`).join(', ')}`,
  });

/**
 * A pid in a path: decimal digits only, greater than 1 (0 and 1 are the kernel's and init's),
 * at most PID_MAX. Whether it is the hub's own is checked where the process lives.
 */
export const PidParamSchema = safeString()
  .regex(/^[0-9]{1,7}$/, 'must be a process id (decimal digits)')
  .transform(Number)
  .refine((n) => n > 1 && n <= PID_MAX, `must be between 2 and ${PID_MAX}`);

/** An agent id in a query: `local` (the hub's own host) when omitted. */

export const PROCESS_SORT_FIELDS = [
  'pid',
  'name',
  'user',
  'state',
  'cpu',
  'memory',
  'threads',
  'start_time',
] as const;
export type ProcessSortField = (typeof PROCESS_SORT_FIELDS)[number];

export const ProcessListQuerySchema = z.strictObject({
  agent_id: AgentIdSchema.optional(),
  /** Default `cpu`. */
  sort: z.enum(PROCESS_SORT_FIELDS).optional(),
  /** Default `desc` for numbers, `asc` for names. */
  order: z.enum(['asc', 'desc']).optional(),
  /** Case-insensitive substring of name, user, command line or pid. */
  q: safeString().max(200).optional(),
  /** At most this many (default 1000). */
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
export type ProcessListQuery = z.infer<typeof ProcessListQuerySchema>;

export const ProcessQuerySchema = z.strictObject({ agent_id: AgentIdSchema.optional() });
export type ProcessQuery = z.infer<typeof ProcessQuerySchema>;

/** One process as the list shows it (field names as the REST contract's process detail). */
export const ProcessInfoSchema = z.object({
  pid: z.number().int(),
  /** Parent pid. */
  ppid: z.number().int(),
  name: z.string(),
  /** Command line with secrets (`--password=…`, `token=…`, URL credentials) redacted. */
  cmdline: z.string(),
  user: z.string(),
  /** One-letter state: R running, S sleeping, D disk wait, T stopped, Z zombie, … */
  state: z.string(),
  /** Percent of one core (like top) since the previous list of the host, else over its life. */
  cpu: z.number(),
  /** Resident set size in bytes. */
  memory: z.number(),
  threads: z.number().int(),
  /** Nice value, -20 … 19. */
  nice: z.number().int(),
  /** ISO 8601 UTC; with the pid it names one process: send it back as `start_time`. */
  startTime: z.string(),
});
export type ProcessInfo = z.infer<typeof ProcessInfoSchema>;

export const ProcessDetailSchema = ProcessInfoSchema.extend({
  agent_id: z.string(),
  /** Open file descriptors; null where the hub may not read them (another user's process). */
  open_files: z.number().int().nullable(),
});
export type ProcessDetail = z.infer<typeof ProcessDetailSchema>;

export const ProcessListResponseSchema = z.object({
  agent_id: z.string(),
  /** Processes on the host before `q` and `limit`. */
  total: z.number().int(),
  processes: z.array(ProcessInfoSchema),
});
export type ProcessListResponse = z.infer<typeof ProcessListResponseSchema>;

export const SignalRequestSchema = z.strictObject({
  signal: SignalSchema,
  /**
   * The `startTime` of the process as the detail showed it: when the pid now names a process
   * that started at another time (the pid was reused), nothing is sent and the answer is 409.
   */
  start_time: isoTimeString().optional(),
});
export type SignalRequest = z.infer<typeof SignalRequestSchema>;

export const SignalResponseSchema = z.object({
  agent_id: z.string(),
  pid: z.number().int(),
  name: z.string(),
  signal: z.enum(SIGNAL_NAMES as [SignalName, ...SignalName[]]),
  /** The number of the signal that was sent. */
  number: z.number().int(),
});
export type SignalResponse = z.infer<typeof SignalResponseSchema>;
