/** A line longer than this is cut here and marked (`fields.truncated`: its full size in bytes). */
export const MAX_LINE_BYTES = 64 * 1024;

export interface RawLine {
  bytes: Buffer;
  /** Size of the whole line when it was cut at MAX_LINE_BYTES; null when complete. */
  truncatedFrom: number | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a line, keeping every byte: valid UTF-8 as text, each byte of an invalid sequence as
 * `\xNN` (how journalctl and Python's backslashreplace show them), so nothing is dropped and
 * the database (PostgreSQL refuses NUL and invalid UTF-8) stores it. NUL becomes `\x00` too.
 */
export function decodeLine(bytes: Buffer): string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return decodeLossless(bytes);
  }
  return text.includes('\0') ? text.replace(/\0/g, '\\x00') : text;
}

function decodeLossless(b: Buffer): string {
  let out = '';
  let start = 0;
  let i = 0;
  const flush = (end: number) => {
    if (end > start) out += b.toString('utf8', start, end);
  };
  while (i < b.length) {
    const n = validSequenceLength(b, i);
    if (n > 0 && b[i] !== 0) {
      i += n;
      continue;
    }
    flush(i);
    out += `\\x${b[i].toString(16).padStart(2, '0')}`;
    i++;
    start = i;
  }
  flush(i);
  return out;
}

/** Length of the well-formed UTF-8 sequence at i (RFC 3629: no overlongs, no surrogates), or 0. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) =>
    i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/**
 * Splits a byte stream into lines (LF, with a CR before it dropped), holding the unfinished
 * tail. A line past MAX_LINE_BYTES is delivered cut at that size as soon as it is seen, and the
 * rest of it, up to its newline, is counted and skipped, so memory stays bounded.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  /** Bytes of the current over-long line seen so far, once it has been cut; else null. */
  private skipping: number | null = null;
  /** The cut line, delivered when its end (and so its full size) is known. */
  private cut: Buffer | null = null;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  /** Bytes held for an unfinished line (not yet returned). */
  get pending(): number {
    return this.skipping !== null ? this.skipping : this.held;
  }

  push(chunk: Buffer): RawLine[] {
    const out: RawLine[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(0x0a, pos);
      const end = nl < 0 ? chunk.length : nl;
      this.take(chunk.subarray(pos, end));
      if (nl < 0) break;
      out.push(this.finish());
      pos = nl + 1;
    }
    return out;
  }

  /** What is held at the end of the input, as a last line (files ending without a newline). */
  end(): RawLine | null {
    if (this.held === 0 && this.skipping === null) return null;
    return this.finish();
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.skipping !== null) {
      this.skipping += piece.length;
      return;
    }
    if (this.held + piece.length <= this.maxBytes) {
      this.parts.push(piece);
      this.held += piece.length;
      return;
    }
    const room = this.maxBytes - this.held;
    this.parts.push(piece.subarray(0, room));
    this.cut = Buffer.concat(this.parts);
    this.skipping = this.held + piece.length;
    this.parts = [];
    this.held = 0;
  }

  private finish(): RawLine {
    let line: RawLine;
    if (this.skipping !== null && this.cut) {
      line = { bytes: trimCr(this.cut), truncatedFrom: this.skipping };
    } else {
      line = { bytes: trimCr(Buffer.concat(this.parts)), truncatedFrom: null };
    }
    this.parts = [];
    this.held = 0;
    this.skipping = null;
    this.cut = null;
    return line;
  }
}

function trimCr(b: Buffer): Buffer {
  return b.length && b[b.length - 1] === 0x0d ? b.subarray(0, b.length - 1) : b;
}

/** Cuts a decoded message (from a JSON field, a journal entry) at MAX_LINE_BYTES of UTF-8. */
export function cutMessage(message: string): { message: string; truncatedFrom: number | null } {
  const size = Buffer.byteLength(message);
  if (size <= MAX_LINE_BYTES) return { message, truncatedFrom: null };
  // toString drops a multi-byte character split at the cut (as U+FFFD), so trim that off.
  const cut = Buffer.from(message).subarray(0, MAX_LINE_BYTES).toString('utf8');
  return { message: cut.replace(/\uFFFD$/, ''), truncatedFrom: size };
}
