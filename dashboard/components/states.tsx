/** Loading, error and notice states every page shows the same way. */
import type { ComponentChildren } from 'preact';
import { t } from '../i18n.ts';
import type { Loader } from '../models/loader.ts';
import { can } from '../models/session.ts';
import { PageLink } from './link.tsx';

export function Loading() {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {t('loading')}
    </p>
  );
}

export function ErrorNote({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <p class="error" role="alert">
      {message}
      {onRetry && (
        <button type="button" class="link" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </p>
  );
}

/** Shows the loader's error or spinner until the data is there, then the children built from it. */
export function Loaded<T>({ loader, children }: { loader: Loader<T>; children: (data: T) => ComponentChildren }) {
  if (loader.error.value) return <ErrorNote message={loader.error.value} onRetry={() => void loader.load()} />;
  const data = loader.data.value;
  if (data === null) return <Loading />;
  return <div class={loader.loading.value ? 'refreshing' : undefined}>{children(data)}</div>;
}

/** In place of a page that needs a site, while the organisation has none: where to create one, or whom to ask. */
export function NoSite() {
  return (
    <p class="empty">
      {t('noSite')} {can('sites.manage') ? <PageLink page="sites">{t('createFirstSite')}</PageLink> : t('askAdmin')}
    </p>
  );
}
