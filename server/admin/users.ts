/** /users: the organisation's dashboard accounts; admins add users, change roles and block them at once. */
import { Hono } from 'hono';
import { z } from 'zod';
import { ROLES } from '../domain/roles.ts';
import { ApiError } from '../errors.ts';
import { say } from '../i18n.ts';
import { createUser, DuplicateEmailError, listUsers, setUserBlocked, setUserRoles } from '../queries/users.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import { newPassword } from './passwords.ts';
import type { AdminEnv } from './env.ts';
import { audit } from './scope.ts';
import { parseBody, pathId } from './validate.ts';

const roles = z.array(z.enum(ROLES)).min(1, { error: () => say({ en: 'give the user at least one role', nb: 'gi brukeren minst én rolle' }) });

export const newUserSchema = z.strictObject({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  roles,
  password: newPassword,
});

export const userRolesSchema = z.strictObject({ roles });
export const userBlockedSchema = z.strictObject({ blocked: z.boolean() });

const NO_USER = { en: 'No such user in your organisation', nb: 'Organisasjonen din har ingen slik bruker' };

export function userRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use(requirePermission('users.manage'));

  app.get('/', async (c) => c.json(await listUsers(deps.db, c.get('user').organisationId)));

  app.post('/', async (c) => {
    const body = await parseBody(c, newUserSchema);
    try {
      const user = await createUser(deps.db, { ...body, organisationId: c.get('user').organisationId });
      await audit(c, deps, { action: 'user.create', target: user.email, detail: { roles: user.roles } });
      return c.json(user, 201);
    } catch (error) {
      if (error instanceof DuplicateEmailError) {
        throw new ApiError(409, 'conflict', { en: error.message, nb: `Det finnes allerede en bruker med e-postadressen ${error.email}` }, 'email');
      }
      throw error;
    }
  });

  app.put('/:userId/roles', async (c) => {
    const body = await parseBody(c, userRolesSchema);
    const user = await setUserRoles(deps.db, c.get('user').organisationId, pathId(c, 'userId'), body.roles);
    if (!user) throw new ApiError(404, 'not_found', NO_USER);
    await audit(c, deps, { action: 'user.roles', target: user.email, detail: { roles: user.roles } });
    return c.json(user);
  });

  app.put('/:userId/blocked', async (c) => {
    const { blocked } = await parseBody(c, userBlockedSchema);
    const userId = pathId(c, 'userId');
    if (blocked && userId === c.get('user').id) throw new ApiError(409, 'conflict', { en: 'You cannot block yourself', nb: 'Du kan ikke sperre deg selv' });
    const user = await setUserBlocked(deps.db, c.get('user').organisationId, userId, blocked);
    if (!user) throw new ApiError(404, 'not_found', NO_USER);
    await audit(c, deps, { action: blocked ? 'user.block' : 'user.unblock', target: user.email });
    return c.json(user);
  });
  return app;
}
