/** Who is signed in, what they may do, which site they look at, and which page is open. */
import { computed, signal } from '@preact/signals';
import { api, ApiFailure, connectSession, type Session } from '../api.ts';
import type { Permission } from '../../server/domain/roles.ts';

export const session = signal<Session | null>(null);
export const sessionChecked = signal(false);
/** A message for the sign-in page: why the user is there (their session ended) or why sign-in failed. */
export const signInMessage = signal<string | null>(null);
export const sessionEndedNotice = signal(false);
export const siteId = signal<number | null>(null);

export const sites = computed(() => session.value?.sites ?? []);
export const currentSite = computed(() => sites.value.find((site) => site.id === siteId.value) ?? sites.value[0] ?? null);
/** Changes only when another site is picked, not when the site list is reloaded: pages reload their data on it. */
export const currentSiteId = computed(() => currentSite.value?.id ?? null);

export function can(permission: Permission): boolean {
  return session.value?.permissions.includes(permission) ?? false;
}

function ended(): void {
  session.value = null;
  sessionEndedNotice.value = true;
}

/** Takes over a session the server opened: at start-up, after signing in, and after set-up signed the first admin in. */
export function adoptSession(value: Session): void {
  connectSession(value.csrfToken, ended);
  session.value = value;
  sessionChecked.value = true;
  sessionEndedNotice.value = false;
  if (!value.sites.some((site) => site.id === siteId.value)) siteId.value = value.sites[0]?.id ?? null;
}

export async function restoreSession(): Promise<void> {
  try {
    adoptSession(await api.session());
  } catch (failure) {
    if (!(failure instanceof ApiFailure && failure.status === 401)) signInMessage.value = String((failure as Error).message);
    session.value = null;
    sessionEndedNotice.value = false;
  } finally {
    sessionChecked.value = true;
  }
}

export async function signIn(email: string, password: string): Promise<void> {
  signInMessage.value = null;
  try {
    adoptSession(await api.login(email, password));
  } catch (failure) {
    signInMessage.value = failure instanceof ApiFailure ? failure.message : String(failure);
  }
}

/** The site list changes with every create, edit and archive; the pickers read it from the session. */
export async function reloadSites(): Promise<void> {
  const list = await api.sites();
  if (session.value) session.value = { ...session.value, sites: list };
}

export async function signOut(): Promise<void> {
  try {
    await api.logout();
  } finally {
    session.value = null;
  }
}

/** The page: the path after /dashboard/, kept in the address bar so reloads and links work. */
export const route = signal(location.pathname.replace(/^\/dashboard\/?/, '') || 'overview');

export function navigate(page: string): void {
  route.value = page;
  history.pushState(null, '', `/dashboard/${page}`);
}

addEventListener('popstate', () => {
  route.value = location.pathname.replace(/^\/dashboard\/?/, '') || 'overview';
});
