import { startHub } from '../test/hub';

describe('GET /api/v1/stream', () => {
  it('does not hold up shutdown while a client is connected', async () => {
    const hub = await startHub('sqlite');
    const token = await hub.login();
    const res = await hub.fetch('/api/v1/stream', { token });
    expect(res.status).toBe(200);
    if (!res.body) throw new Error('stream has no body');
    const reader = res.body.getReader();
    const closing = hub.close().then(() => 'closed' as const);
    const timeout = new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 8000).unref());
    expect(await Promise.race([closing, timeout])).toBe('closed');
    // The server ended the response: the reader reaches the end instead of hanging.
    let done = false;
    while (!done) done = (await reader.read()).done;
  });
});
