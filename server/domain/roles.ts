/** Staff roles and what each may do in the dashboard; every admin API route names the permission it needs. */

export const ROLES = ['admin', 'analyst', 'privacy_officer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'sites.read',
  'sites.manage',
  'policies.read',
  'users.manage',
  'usage.read',
  'goals.manage',
  'consent_stats.read',
  'records.read',
  'records.export',
  'subject_requests.handle',
  'audit.read',
  'retention.manage',
  // Admins only: a key reads or records for the whole organisation without a person signed in.
  'api_keys.manage',
  // Admins only: the identity provider decides who signs in, and with which role new users start.
  'sso.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Admins are the terms' contact person: they set up sites and accounts and read everything in their organisation,
 * analytics, evidence and audit log included. Analysts read usage and define the goals and funnels it is measured by; privacy officers own the consent evidence (and
 * read the policy versions it refers to) and
 * alone answer data-subject requests, which show, export and erase one person's data.
 */
const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS.filter((permission) => permission !== 'subject_requests.handle'),
  analyst: ['sites.read', 'usage.read', 'goals.manage'],
  privacy_officer: [
    'sites.read',
    'policies.read',
    'consent_stats.read',
    'records.read',
    'records.export',
    'subject_requests.handle',
    'audit.read',
  ],
};

export function permissionsOf(roles: readonly Role[]): Permission[] {
  return PERMISSIONS.filter((permission) => roles.some((role) => GRANTS[role].includes(permission)));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** A dashboard user as the server sees it; the password hash never leaves queries/. */
export interface StaffUser {
  readonly id: number;
  readonly organisationId: number;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly blockedAt: Date | null;
  readonly createdAt: Date;
}
