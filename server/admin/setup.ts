/**
 * /setup: the first run without the demo. The dashboard's setup screen asks whether set-up is still needed, then
 * sends the token from the printed link with the organisation and its first admin, and is signed in at once.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { hasOrganisation } from '../queries/organisation.ts';
import { completeSetup } from '../queries/setup.ts';
import type { AppDeps } from '../services.ts';
import type { SetupRequest, SetupStatus } from './contract.ts';
import type { AdminEnv } from './env.ts';
import { audit } from './scope.ts';
import { signIn } from './session.ts';
import { newPassword } from './passwords.ts';
import { text } from './texts.ts';
import { parseBody } from './validate.ts';

export const setupSchema = z.strictObject({
  token: z.string().min(1).max(200),
  organisation: text(200),
  name: text(200),
  email: z.email().max(320),
  password: newPassword,
}) satisfies z.ZodType<SetupRequest, unknown>;

export function setupRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/', async (c) => c.json({ needed: !(await hasOrganisation(deps.db)) } satisfies SetupStatus));

  app.post('/', async (c) => {
    const { token, ...admin } = await parseBody(c, setupSchema);
    const result = await completeSetup(deps.db, token, admin);
    if (!result.done && result.reason === 'already_set_up') {
      throw new ApiError(409, 'already_set_up', {
        en: 'Samtykke is already set up; sign in, or ask an admin of your organisation for an account',
        nb: 'Samtykke er allerede satt opp; logg inn, eller be en administrator i organisasjonen om en konto',
      });
    }
    if (!result.done) {
      throw new ApiError(
        403,
        'setup_token_invalid',
        {
          en: 'This setup link is not valid; use the link the server printed at its latest start',
          nb: 'Denne oppsettslenken er ikke gyldig; bruk lenken serveren skrev ut sist den startet',
        },
        'token',
      );
    }
    const session = await signIn(c, deps, result.user);
    await audit(c, deps, { action: 'setup.complete', target: result.organisation.name });
    return c.json(session, 201);
  });
  return app;
}
