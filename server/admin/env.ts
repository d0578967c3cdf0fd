/** The context every admin route runs in: the signed-in user and helpers scoped to their organisation. */
import type { Context } from 'hono';
import type { StaffUser } from '../domain/roles.ts';

export interface AdminEnv {
  Variables: {
    user: StaffUser;
    csrfToken: string;
  };
}

export type AdminContext = Context<AdminEnv>;
