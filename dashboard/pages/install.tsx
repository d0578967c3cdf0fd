/** Installing a site: every snippet with what it is for and a copy button, then the check of what its pages sent. */
import { useEffect, useMemo } from 'preact/hooks';
import type { Check, Guide, Snippet } from '../api.ts';
import { SitePicker } from '../components/controls.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { formatDateTime, formatNumber, t } from '../i18n.ts';
import { createInstallModel, type InstallModel } from '../models/install.ts';
import { currentSite } from '../models/session.ts';

type Sighting = Check['lastDecision'];
type Refused = Check['refused'][number];

function SnippetCard({ model, snippet }: { model: InstallModel; snippet: Snippet }) {
  const title = t(`snippet_${snippet.id}`);
  const copied = model.copied.value?.id === snippet.id ? model.copied.value : null;
  return (
    <section class="card snippet" data-snippet={snippet.id}>
      <div class="card-head">
        <h2>{title}</h2>
        <button type="button" class="secondary" aria-label={t('copyNamed', { title })} onClick={() => void model.copy(snippet)}>
          {t('copy')}
        </button>
        {copied && (
          <span role="status" class={copied.ok ? 'copied' : 'field-error'}>
            {copied.ok ? t('copied') : t('copyFailed')}
          </span>
        )}
      </div>
      <p class="note">{t(`snippetHelp_${snippet.id}`)}</p>
      <pre>
        <code>{snippet.code}</code>
      </pre>
    </section>
  );
}

function Snippets({ model, guide }: { model: InstallModel; guide: Guide }) {
  return (
    <>
      {location.origin !== guide.publicUrl && <p class="warning">{t('publicUrlWarning', { url: guide.publicUrl, here: location.origin })}</p>}
      {guide.snippets.map((snippet) => (
        <SnippetCard key={snippet.id} model={model} snippet={snippet} />
      ))}
    </>
  );
}

function seen(sighting: Sighting): string {
  if (!sighting) return t('nothingYet');
  return t('seenFrom', { time: formatDateTime(sighting.at), origin: sighting.origin || t('noOrigin') });
}

function CheckPanel({ model, check }: { model: InstallModel; check: Check }) {
  const status = model.status.value;
  return (
    <section class="card check" data-status={status} aria-label={t('installCheck')}>
      <div class="card-head">
        <h2>{t('installCheck')}</h2>
        <button type="button" class="secondary" onClick={() => void model.check.load()}>
          {t('refresh')}
        </button>
      </div>
      {status && (
        <p class={`status ${status}`} role="status">
          {t(`status_${status}`)}
        </p>
      )}
      {currentSite.value?.surface === 'web' && check.allowedOrigins.length === 0 && <p class="note">{t('noOriginsWeb')}</p>}
      <dl class="sightings">
        <dt>{t('lastDecision')}</dt>
        <dd data-sighting="decision">{seen(check.lastDecision)}</dd>
        <dt>{t('lastEvent')}</dt>
        <dd data-sighting="event">{seen(check.lastEvent)}</dd>
      </dl>
      <h3>{t('refusedOrigins')}</h3>
      {model.error.value && <ErrorNote message={model.error.value} />}
      <Table<Refused>
        label={t('refusedOrigins')}
        rows={check.refused}
        rowKey={(row) => row.origin}
        empty={t('noRefused')}
        columns={[
          { key: 'origin', label: t('origin'), value: (row) => row.origin, render: (row) => <code>{row.origin}</code> },
          { key: 'count', label: t('count'), value: (row) => row.count, render: (row) => formatNumber(row.count), numeric: true },
          { key: 'lastAt', label: t('lastTime'), value: (row) => row.lastAt, render: (row) => formatDateTime(row.lastAt) },
          {
            key: 'action',
            label: t('actions'),
            hideLabel: true,
            render: (row) => (
              <button type="button" class="secondary" aria-label={t('allowOriginNamed', { origin: row.origin })} onClick={() => void model.allowOrigin(row.origin)}>
                {t('allowOrigin')}
              </button>
            ),
          },
        ]}
      />
    </section>
  );
}

export function InstallPage() {
  const model = useMemo(createInstallModel, []);
  useEffect(() => model.start(), [model]);
  return (
    <div class="page">
      <div class="toolbar">
        <SitePicker />
      </div>
      <Loaded loader={model.guide}>{(guide) => <Snippets model={model} guide={guide} />}</Loaded>
      <Loaded loader={model.check}>{(check) => <CheckPanel model={model} check={check} />}</Loaded>
    </div>
  );
}
