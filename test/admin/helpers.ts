/** Signed-in dashboard clients for admin API tests: a user with given roles, its session cookie and CSRF token. */
import type { Hono } from 'hono';
import type { Role, StaffUser } from '../../server/domain/roles.ts';
import { createUser } from '../../server/queries/users.ts';
import type { TestContext } from '../helpers/app.ts';
import { TEST_ORIGIN } from '../helpers/app.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface StaffClient {
  readonly user: StaffUser;
  readonly csrfToken: string;
  get(path: string): Promise<Response>;
  send(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

let counter = 0;

export async function login(app: Hono, email: string, password = TEST_PASSWORD): Promise<Response> {
  return await app.request('/api/admin/session/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: TEST_ORIGIN },
    body: JSON.stringify({ email, password }),
  });
}

export function clientFor(app: Hono, user: StaffUser, cookie: string, csrfToken: string): StaffClient {
  return {
    user,
    csrfToken,
    get: async (path) => app.request(path, { headers: { cookie } }),
    send: async (method, path, body, headers = {}) =>
      app.request(path, {
        method,
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json', origin: TEST_ORIGIN, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}

/** Creates a user in the organisation (the demo one by default) and signs it in. */
export async function signedInStaff(context: TestContext, roles: Role[], organisationId = context.demo.organisationId): Promise<StaffClient> {
  const email = `${roles.join('-')}-${++counter}@example.test`;
  const user = await createUser(context.database.db, { organisationId, email, name: `Test ${roles.join(' ')}`, roles, password: TEST_PASSWORD });
  const response = await login(context.app, email);
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return clientFor(context.app, user, cookie, csrfToken);
}
