import type { Role, User } from '@tyto/contracts';
import type { TestHub } from './hub';

/** A password that passes the default policy (12 characters). */
export const USER_PASSWORD = 'long-enough-password';

/** Asserts the `{error, code, details}` error shape with this status and code; returns the body. */
export async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<{ error: string; code: string; details: Record<string, unknown> }> {
  const text = await res.text();
  expect({ status: res.status, body: text }).toEqual({
    status,
    body: expect.stringContaining(`"code":"${code}"`),
  });
  const body = JSON.parse(text) as {
    error: string;
    code: string;
    details: Record<string, unknown>;
  };
  expect(body).toEqual({ error: expect.any(String), code, details: expect.any(Object) });
  return body;
}

/** Parses a JSON answer after checking its status (showing the body when it differs). */
export async function expectJson<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect({ status: res.status, body: text }).toEqual({ status, body: expect.any(String) });
  return JSON.parse(text) as T;
}

export async function createUser(
  hub: TestHub,
  token: string,
  user: { username: string; roles?: string[]; password?: string; email?: string | null },
): Promise<User> {
  const res = await hub.fetch('/api/v1/users', {
    method: 'POST',
    token,
    json: { password: USER_PASSWORD, ...user },
  });
  return expectJson<User>(res, 201);
}

/** Creates a role; permissions are plain strings so tests can also send ones outside the catalogue. */
export async function createRole(
  hub: TestHub,
  token: string,
  role: { name: string; description?: string; permissions: string[] },
): Promise<Role> {
  const res = await hub.fetch('/api/v1/roles', { method: 'POST', token, json: role });
  return expectJson<Role>(res, 201);
}

/** Creates a user holding one new role with exactly these grants, and signs them in. */
export async function userWithGrants(
  hub: TestHub,
  adminToken: string,
  name: string,
  permissions: string[],
): Promise<{ user: User; role: Role; token: string }> {
  const role = await createRole(hub, adminToken, { name: `${name} role`, permissions });
  const user = await createUser(hub, adminToken, { username: name, roles: [role.id] });
  return { user, role, token: await hub.login(name, USER_PASSWORD) };
}
