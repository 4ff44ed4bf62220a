import { connect } from 'node:net';
import { startHub, type TestHub } from '../test/hub';

/** Sends raw bytes and resolves with all the hub answered once it closed the connection. */
function rawRequest(baseUrl: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString()));
    socket.once('error', reject);
    socket.once('close', () => resolve(received));
    socket.write(bytes);
  });
}

function parseAnswer(raw: string): { status: number; headers: string; body: unknown } {
  const [head, body] = raw.split('\r\n\r\n', 2);
  return {
    status: Number(head.split(' ')[1]),
    headers: head.toLowerCase(),
    body: JSON.parse(body),
  };
}

// Node's HTTP parser refuses these before Fastify sees a request; only the HTTP layer is
// involved, so one database kind is enough.
describe('requests that Node refuses to parse', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub('sqlite');
  });
  afterAll(async () => {
    await hub.close();
  });

  it('answers a broken request line with 400 BAD_REQUEST in the error shape', async () => {
    const answer = parseAnswer(await rawRequest(hub.baseUrl, 'HELLO THERE\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.headers).toContain('content-type: application/json');
    expect(answer.headers).toContain('connection: close');
    expect(answer.body).toEqual({ error: expect.any(String), code: 'BAD_REQUEST', details: {} });
  });

  it('answers 20 kB of headers with 431 HEADERS_TOO_LARGE in the error shape', async () => {
    const raw = await rawRequest(
      hub.baseUrl,
      `GET /health HTTP/1.1\r\nHost: hub\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    const answer = parseAnswer(raw);
    expect(answer.status).toBe(431);
    expect(answer.body).toEqual({
      error: expect.any(String),
      code: 'HEADERS_TOO_LARGE',
      details: {},
    });
  });

  it('keeps serving afterwards', async () => {
    expect((await hub.fetch('/health')).status).toBe(200);
  });
});
