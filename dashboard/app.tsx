/** The dashboard shell: set-up, sign-in, navigation by role, language switch and the open page. */
import type { FunctionComponent } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Permission } from '../server/domain/roles.ts';
import { PageLink } from './components/link.tsx';
import { Loading, NoSite } from './components/states.tsx';
import { t, toggleLocale } from './i18n.ts';
import { can, restoreSession, route, session, sessionChecked, signOut, sites } from './models/session.ts';
import { ApiKeysPage } from './pages/api-keys.tsx';
import { AuditPage } from './pages/audit.tsx';
import { BannerPage } from './pages/banner.tsx';
import { ConsentPage } from './pages/consent.tsx';
import { FunnelsPage } from './pages/funnels.tsx';
import { InstallPage } from './pages/install.tsx';
import { InventoryPage } from './pages/inventory.tsx';
import { LoginPage } from './pages/login.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { PolicyPage } from './pages/policy.tsx';
import { RecordsPage } from './pages/records.tsx';
import { ReportsPage } from './pages/reports.tsx';
import { ScansPage } from './pages/scans.tsx';
import { SetupPage } from './pages/setup.tsx';
import { SitesPage } from './pages/sites.tsx';
import { SsoPage } from './pages/sso.tsx';
import { UsersPage } from './pages/users.tsx';

interface PageEntry {
  readonly path: string;
  readonly label: Parameters<typeof t>[0];
  readonly permission: Permission;
  readonly page: FunctionComponent;
  /** Shows what to do instead while the organisation has no site. */
  readonly needsSite?: boolean;
}

const PAGES: readonly PageEntry[] = [
  { path: 'overview', label: 'navOverview', permission: 'usage.read', page: OverviewPage, needsSite: true },
  { path: 'funnels', label: 'navFunnels', permission: 'usage.read', page: FunnelsPage, needsSite: true },
  { path: 'reports', label: 'navReports', permission: 'usage.read', page: ReportsPage, needsSite: true },
  { path: 'consent', label: 'navConsent', permission: 'consent_stats.read', page: ConsentPage, needsSite: true },
  { path: 'sites', label: 'navSites', permission: 'sites.manage', page: SitesPage },
  { path: 'install', label: 'navInstall', permission: 'sites.manage', page: InstallPage, needsSite: true },
  { path: 'inventory', label: 'navInventory', permission: 'sites.manage', page: InventoryPage, needsSite: true },
  { path: 'scans', label: 'navScans', permission: 'sites.manage', page: ScansPage, needsSite: true },
  { path: 'banner', label: 'navBanner', permission: 'sites.manage', page: BannerPage, needsSite: true },
  { path: 'policy', label: 'navPolicy', permission: 'policies.read', page: PolicyPage, needsSite: true },
  { path: 'records', label: 'navRecords', permission: 'records.read', page: RecordsPage, needsSite: true },
  { path: 'users', label: 'navUsers', permission: 'users.manage', page: UsersPage },
  { path: 'sso', label: 'navSso', permission: 'sso.manage', page: SsoPage },
  { path: 'audit', label: 'navAudit', permission: 'audit.read', page: AuditPage },
  { path: 'api-keys', label: 'navApiKeys', permission: 'api_keys.manage', page: ApiKeysPage },
];

export function App() {
  // The setup link is opened before any account exists: there is no session to ask for until set-up opens one.
  useEffect(() => {
    if (route.value !== 'setup') void restoreSession();
  }, []);
  if (route.value === 'setup' && !session.value) return <SetupPage />;
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
            <PageLink key={page.path} page={page.path} current={page === open}>
              {t(page.label)}
            </PageLink>
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
            {open.needsSite && sites.value.length === 0 ? <NoSite /> : <open.page key={open.path} />}
          </>
        ) : (
          <p class="empty">{t('forbidden')}</p>
        )}
      </main>
    </div>
  );
}
