import { LOG_FRAME_MAX_BYTES, LogBatchMessageSchema, type LogBatchMessage } from '@tyto/contracts';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LogShipper, type LogChannel } from './logs';

/** A channel that records every frame and completes each send at once. */
class FakeChannel implements LogChannel {
  bufferedAmount = 0;
  readonly frames: LogBatchMessage[] = [];
  readonly sizes: number[] = [];
  send(text: string, cb: (err?: Error) => void): void {
    this.sizes.push(Buffer.byteLength(text));
    this.frames.push(LogBatchMessageSchema.parse(JSON.parse(text)));
    setImmediate(() => cb());
  }
  get batches() {
    return this.frames.flatMap((f) => f.batches);
  }
  get messages() {
    return this.batches.flatMap((b) => b.lines.map((l) => l.message));
  }
}

async function until(what: string, fn: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe(LogShipper.name, () => {
  let dir: string;
  let file: string;
  const shippers: LogShipper[] = [];
  const make = () => {
    const s = new LogShipper({
      stateDir: path.join(dir, 'state'),
      opts: {
        logFiles: [file],
        logJournal: 'off',
        logDocker: 'off',
        logDockerSocket: '/nonexistent.sock',
        logBufferMax: 64 * 1024 * 1024,
      },
      log: () => undefined,
      readers: { pollMs: 20, scanMs: 20 },
    });
    shippers.push(s);
    return s;
  };
  /** The reader has looked at the file once (and saved where it is). */
  const scanned = () =>
    until('the first scan', () => existsSync(path.join(dir, 'state', 'log-readers.json')));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tyto-agent-logs-'));
    file = path.join(dir, 'app.log');
    writeFileSync(file, 'before the first start\n');
  });
  afterEach(async () => {
    for (const s of shippers.splice(0)) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends nothing until the hub acknowledges, then every batch in order, and forgets acked ones', async () => {
    const s = make();
    s.start();
    // Followed from its end: the line already there is not shipped.
    await scanned();
    appendFileSync(file, 'one\ntwo\n');
    await until('the first batch buffered', () => s.pending >= 1);
    appendFileSync(file, 'three\n');
    await until('the second batch buffered', () => s.pending >= 2);
    const ch = new FakeChannel();
    expect(ch.frames).toHaveLength(0);
    s.ack(0, ch);
    await until('both batches sent', () => ch.messages.length === 3);
    expect(ch.messages).toEqual(['one', 'two', 'three']);
    const seqs = ch.batches.map((b) => b.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    s.ack(seqs[0], ch);
    expect(s.pending).toBe(seqs.length - 1);
    // A new channel after a drop: what is not acknowledged goes again, from the oldest.
    s.detach();
    const next = new FakeChannel();
    s.ack(seqs[0], next);
    await until('the back-fill', () => next.messages.length === 1);
    expect(next.messages).toEqual(['three']);
  });

  it('keeps its place across a restart: nothing read twice, nothing lost', async () => {
    const first = make();
    first.start();
    await scanned();
    appendFileSync(file, 'a\nb\n');
    await until('a batch buffered', () => first.pending >= 1);
    await first.stop();
    appendFileSync(file, 'while stopped\n');
    const second = make();
    second.start();
    appendFileSync(file, 'after\n');
    await until('all buffered', () => second.pending >= 2);
    const ch = new FakeChannel();
    second.ack(0, ch);
    await until('all sent', () => ch.messages.length >= 4);
    expect(ch.messages).toEqual(['a', 'b', 'while stopped', 'after']);
  });

  it('splits a burst into records and frames under the size cap', async () => {
    const s = make();
    s.start();
    await scanned();
    const long = 'x'.repeat(60_000);
    appendFileSync(file, Array.from({ length: 60 }, (_, i) => `${i} ${long}`).join('\n') + '\n');
    await until('the burst buffered', () => s.buffer.lastSeq >= 2);
    const ch = new FakeChannel();
    s.ack(0, ch);
    await until('the burst sent', () => ch.messages.length === 60);
    expect(ch.messages.map((m) => Number(m.split(' ')[0]))).toEqual(
      Array.from({ length: 60 }, (_, i) => i),
    );
    expect(ch.frames.length).toBeGreaterThan(1);
    expect(Math.max(...ch.sizes)).toBeLessThanOrEqual(LOG_FRAME_MAX_BYTES);
  });
});
