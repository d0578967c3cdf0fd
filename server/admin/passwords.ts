/** The rule for a new password, as every admin form that sets one checks it. */
import { z } from 'zod';
import { passwordProblem } from '../domain/password.ts';
import { say } from '../i18n.ts';

export const newPassword = z
  .string()
  .max(1024)
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: say(problem) });
  });
