/** The dashboard shell: sign-in, navigation by role, language switch and the open page. */
import type { FunctionComponent } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Permission } from '../server/domain/roles.ts';
import { Loading } from './components/states.tsx';
import { t, toggleLocale } from './i18n.ts';
import { can, navigate, restoreSession, route, session, sessionChecked, signOut } from './models/session.ts';
import { AuditPage } from './pages/audit.tsx';
import { ConsentPage } from './pages/consent.tsx';
import { InventoryPage } from './pages/inventory.tsx';
import { LoginPage } from './pages/login.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { PolicyPage } from './pages/policy.tsx';
import { RecordsPage } from './pages/records.tsx';
import { UsersPage } from './pages/users.tsx';

const PAGES: ReadonlyArray<{ path: string; label: Parameters<typeof t>[0]; permission: Permission; page: FunctionComponent }> = [
  { path: 'overview', label: 'navOverview', permission: 'usage.read', page: OverviewPage },
  { path: 'consent', label: 'navConsent', permission: 'consent_stats.read', page: ConsentPage },
  { path: 'inventory', label: 'navInventory', permission: 'sites.manage', page: InventoryPage },
  { path: 'policy', label: 'navPolicy', permission: 'sites.manage', page: PolicyPage },
  { path: 'records', label: 'navRecords', permission: 'records.read', page: RecordsPage },
  { path: 'users', label: 'navUsers', permission: 'users.manage', page: UsersPage },
  { path: 'audit', label: 'navAudit', permission: 'audit.read', page: AuditPage },
];

export function App() {
  useEffect(() => void restoreSession(), []);
  if (!sessionChecked.value) return <Loading />;
  const current = session.value;
  if (!current) return <LoginPage />;
  const allowed = PAGES.filter((page) => can(page.permission));
  const open = allowed.find((page) => page.path === route.value) ?? allowed[0];
  return (
    <div class="shell">
      <header class="topbar">
        <strong class="brand">{t('appName')}</strong>
        <nav aria-label="main">
          {allowed.map((page) => (
            <a
              key={page.path}
              href={`/dashboard/${page.path}`}
              aria-current={page === open ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                navigate(page.path);
              }}
            >
              {t(page.label)}
            </a>
          ))}
        </nav>
        <div class="account">
          <span class="muted">{current.user.email}</span>
          <button type="button" class="link" onClick={toggleLocale}>
            {t('language')}
          </button>
          <button type="button" class="link" onClick={() => void signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <main>
        {open ? (
          <>
            <h1>{t(open.label)}</h1>
            <open.page key={open.path} />
          </>
        ) : (
          <p class="empty">{t('forbidden')}</p>
        )}
      </main>
    </div>
  );
}
