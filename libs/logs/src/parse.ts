import type { LogEntryLevel, LogLine, LogSource } from '@tyto/contracts';
import { levelFromValue, sniffLevel } from './level';
import { cutMessage, decodeLine, type RawLine } from './line';

const MESSAGE_KEYS = ['message', 'msg', 'MESSAGE', 'log'];
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'loglevel', 'PRIORITY'];
const TIME_KEYS = ['timestamp', 'time', 'ts', '@timestamp'];
/** Extras kept per line: enough for any real structured log, bounded against a hostile one. */
const MAX_FIELDS = 64;
const MAX_FIELD_BYTES = 4096;

/** A JSON value as a field string: strings as they are, anything else as JSON. */
function fieldValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > MAX_FIELD_BYTES ? s.slice(0, MAX_FIELD_BYTES) : s;
}

/** A time a JSON line carries: ISO text, or epoch seconds / milliseconds. */
function timeFromValue(v: unknown): string | null {
  let ms: number;
  if (typeof v === 'number') ms = v < 1e11 ? v * 1000 : v;
  else if (typeof v === 'string' && v.length <= 64) ms = Date.parse(v);
  else return null;
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

/**
 * One line of a file or a container's output. A JSON object line keeps its keys as fields, its
 * `message`/`msg` as the message and its `level`/`severity` and time; other lines have their
 * level sniffed from the text.
 */
export function parseTextLine(
  raw: RawLine,
  source: LogSource,
  sourceName: string,
  readAt: Date,
  extra: Record<string, string> = {},
  defaultTime?: string,
): LogLine {
  const text = decodeLine(raw.bytes);
  const fields: Record<string, string> = { ...extra };
  let message = text;
  let level: LogEntryLevel | null = null;
  let timestamp = defaultTime ?? readAt.toISOString();
  if (text.startsWith('{') && raw.truncatedFrom === null) {
    let obj: unknown = null;
    try {
      obj = JSON.parse(text);
    } catch {
      // Not JSON after all: the line is text.
    }
    if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) {
      const rec = obj as Record<string, unknown>;
      const msgKey = MESSAGE_KEYS.find((k) => typeof rec[k] === 'string');
      message = msgKey ? (rec[msgKey] as string) : text;
      for (const k of LEVEL_KEYS) {
        level ??= k in rec ? levelFromValue(rec[k]) : null;
      }
      for (const k of TIME_KEYS) {
        const t = k in rec ? timeFromValue(rec[k]) : null;
        if (t) {
          timestamp = t;
          break;
        }
      }
      let n = 0;
      for (const [k, v] of Object.entries(rec)) {
        if (k === msgKey || v === null || v === undefined) continue;
        if (n++ >= MAX_FIELDS) break;
        fields[k.slice(0, 128)] = fieldValue(v);
      }
      if (msgKey) level ??= sniffLevel(message);
    }
  }
  const cut = cutMessage(message);
  const truncatedFrom = raw.truncatedFrom ?? cut.truncatedFrom;
  if (truncatedFrom !== null) fields['truncated'] = String(truncatedFrom);
  return {
    timestamp,
    source,
    source_name: sourceName,
    level: level ?? sniffLevel(cut.message),
    message: cut.message,
    fields,
  };
}
