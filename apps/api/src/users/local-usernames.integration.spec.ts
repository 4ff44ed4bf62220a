import type { User } from '@tyto/contracts';
import { expectError, expectJson, USER_PASSWORD } from '../test/api';
import { ADMIN_PASSWORD, DB_KINDS, startHub, type TestHub } from '../test/hub';

const PATTERN_MESSAGE =
  'may contain only letters a-z, digits and . _ @ -, and must start with a letter or digit';

describe.each(DB_KINDS)('local usernames on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  beforeAll(async () => {
    // Two failures lock a (username, address) pair; the proxy hop gives each test its address.
    hub = await startHub(kind, {
      TYTO_ALLOW_REGISTRATION: 'true',
      TYTO_LOGIN_MAX_FAILURES: '2',
      TYTO_TRUST_PROXY: '1',
    });
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub.close();
  });

  const post = (path: string, json: unknown, token?: string, ip = '192.0.2.1') =>
    hub.fetch(path, { method: 'POST', json, token, headers: { 'x-forwarded-for': ip } });
  const createUser = (username: string) =>
    post('/api/v1/users', { username, password: USER_PASSWORD }, admin);
  const register = (username: string) =>
    post('/api/v1/auth/register', { username, password: USER_PASSWORD });
  const users = async () =>
    (await expectJson<{ users: User[] }>(await hub.fetch('/api/v1/users', { token: admin }), 200))
      .users;

  it.each([
    ['a dotless i', 'admın'],
    ['a Cyrillic а', 'аdmin'],
    ['a Greek omicron', 'rοot'],
    ['a leading dash', '-admin'],
  ])('refuses a local user whose name has %s, made by an admin or registered', async (_, name) => {
    for (const res of [await createUser(name), await register(name)]) {
      const body = await expectError(res, 400, 'VALIDATION_FAILED');
      expect(body.details).toEqual({ issues: [{ path: 'username', message: PATTERN_MESSAGE }] });
    }
    expect((await users()).map((u) => u.username)).toEqual(['admin']);
  });

  it('folds fullwidth letters: ａｄｍｉｎ is admin, and taken', async () => {
    await expectError(await createUser('ａｄｍｉｎ'), 409, 'USERNAME_TAKEN');
    await expectError(await register('ＡＤＭＩＮ'), 409, 'USERNAME_TAKEN');
  });

  it('stores the folded name and signs it in however it is typed', async () => {
    expect(await expectJson<User>(await register('ｆｕｌｌｗｉｄｔｈ'), 201)).toMatchObject({
      username: 'fullwidth',
    });
    expect(await expectJson<User>(await createUser('Mixed.Case_1'), 201)).toMatchObject({
      username: 'Mixed.Case_1',
    });
    for (const typed of ['fullwidth', 'FullWidth', 'ｆｕｌｌｗｉｄｔｈ']) {
      await expect(hub.login(typed, USER_PASSWORD)).resolves.toEqual(expect.any(String));
    }
    await expect(hub.login('mixed.case_1', USER_PASSWORD)).resolves.toEqual(expect.any(String));
    await expect(hub.login('ａｄｍｉｎ', ADMIN_PASSWORD)).resolves.toEqual(expect.any(String));
  });

  it('counts failures of every folded form of a name as one for the lockout', async () => {
    const ip = '192.0.2.77';
    for (const typed of ['ａｄｍｉｎ', 'ＡＤＭＩＮ']) {
      await expectError(
        await post(
          '/api/v1/auth/login',
          { username: typed, password: 'wrong-guess' },
          undefined,
          ip,
        ),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    const locked = await post(
      '/api/v1/auth/login',
      { username: 'admin', password: ADMIN_PASSWORD },
      undefined,
      ip,
    );
    await expectError(locked, 429, 'RATE_LIMITED');
  });

  it('still refuses a NUL at sign-in, whatever the name', async () => {
    const res = await post('/api/v1/auth/login', { username: 'admin\u0000', password: 'x' });
    const body = await expectError(res, 400, 'VALIDATION_FAILED');
    expect(body.details).toEqual({
      issues: [{ path: 'username', message: 'must not contain control characters' }],
    });
  });
});
