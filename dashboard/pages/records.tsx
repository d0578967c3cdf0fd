/** Consent records for privacy officers: search, history with chain status, one record as its user saw it, exports and data-subject requests. */
import { Fragment } from 'preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { api, type HistoryRow, type RecordEvidence, type RecordRow, type RecordSearch } from '../api.ts';
import { siteLabel } from '../components/controls.tsx';
import { Facts, type Fact } from '../components/facts.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { Table, type Column } from '../components/table.tsx';
import { ACTIONS } from '../../server/domain/consent.ts';
import { formatDateTime, t, tDynamic } from '../i18n.ts';
import { createRecordsModel, type RecordsModel } from '../models/records.ts';
import { can, sites } from '../models/session.ts';

const choices = (row: RecordRow) => ['functional', 'analytics', 'ads'].filter((category) => row[category as 'ads']).map((category) => t(category as 'ads')).join(', ') || '–';

/** The record's own button; in the search results, the rest of the row shows the consent ID's history. */
const openColumn = (onOpen: (id: number) => void): Column<RecordRow> => ({
  key: 'open',
  label: t('actions'),
  hideLabel: true,
  render: (row) => (
    <button type="button" class="link" aria-label={t('openRecordNamed', { id: row.id })} onClick={() => onOpen(row.id)}>
      {t('openRecord')}
    </button>
  ),
});

const recordColumns = (): ReadonlyArray<Column<RecordRow>> => [
  { key: 'recordedAt', label: t('time'), value: (row) => row.recordedAt, render: (row) => formatDateTime(row.recordedAt) },
  { key: 'site', label: t('site'), value: (row) => row.siteKey },
  { key: 'consentId', label: t('consentId'), value: (row) => row.consentId, render: (row) => <code>{row.consentId}</code> },
  { key: 'action', label: t('action'), value: (row) => row.action },
  { key: 'choices', label: t('choices'), value: choices },
  { key: 'source', label: t('source'), value: (row) => row.source },
  { key: 'version', label: t('policyVersion'), value: (row) => row.policyVersion, numeric: true },
  { key: 'account', label: t('account'), value: (row) => row.account },
];

function SearchForm({ model }: { model: RecordsModel }) {
  const search = model.search.value;
  const set = (changes: Partial<RecordSearch>) => (model.search.value = { ...search, ...changes });
  const text = (key: 'consentId' | 'account' | 'from' | 'to', label: string, date = false) => {
    const value = search[key] ?? '';
    const onInput = (event: Event) => set({ [key]: (event.target as HTMLInputElement).value || undefined });
    return (
      <label class="control">
        {label}
        {date ? <input type="date" name={key} value={value} onInput={onInput} /> : <input type="text" name={key} value={value} onInput={onInput} />}
      </label>
    );
  };
  return (
    <form
      class="toolbar wrap"
      aria-label={t('search')}
      onSubmit={(event) => {
        event.preventDefault();
        void model.results.load();
      }}
    >
      <label class="control">
        {t('site')}
        <select value={search.site ?? ''} onChange={(event) => set({ site: Number((event.target as HTMLSelectElement).value) || undefined })}>
          <option value="">{t('allSites')}</option>
          {sites.value.map((site) => (
            <option key={site.id} value={site.id}>
              {siteLabel(site)}
            </option>
          ))}
        </select>
      </label>
      {text('consentId', t('consentId'))}
      {text('from', t('from'), true)}
      {text('to', t('to'), true)}
      <label class="control">
        {t('action')}
        <select value={search.action ?? ''} onChange={(event) => set({ action: (event.target as HTMLSelectElement).value || undefined })}>
          <option value="">–</option>
          {ACTIONS.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </select>
      </label>
      <label class="control">
        {t('policyVersion')}
        <input type="number" min={1} value={search.policyVersion ?? ''} onInput={(event) => set({ policyVersion: Number((event.target as HTMLInputElement).value) || undefined })} />
      </label>
      {text('account', t('account'))}
      <button type="submit">{t('search')}</button>
      {can('records.export') && (
        <>
          <a class="button secondary" href={api.recordsExportUrl(search, 'csv')} download>
            {t('exportCsv')}
          </a>
          <a class="button secondary" href={api.recordsExportUrl(search, 'ndjson')} download>
            {t('exportNdjson')}
          </a>
          <a class="button secondary" href={api.recordContentsExportUrl(search.site)} download>
            {t('exportContents')}
          </a>
        </>
      )}
    </form>
  );
}

function History({ model }: { model: RecordsModel }) {
  if (!model.historyOf.value) return null;
  return (
    <section class="card">
      <h2>{t('history', { id: model.historyOf.value })}</h2>
      <Loaded loader={model.history}>
        {(rows) => (
          <Table<HistoryRow>
            rows={rows}
            rowKey={(row) => row.id}
            empty={t('noRecords')}
            columns={[
              ...(recordColumns() as ReadonlyArray<Column<HistoryRow>>),
              { key: 'stale', label: t('stale'), value: (row) => row.stale, render: (row) => (row.stale ? <span class="badge altered">{t('staleShort')}</span> : '–') },
              { key: 'chain', label: t('chain'), value: (row) => row.chain, render: (row) => <span class={`badge ${row.chain}`}>{tDynamic(row.chain)}</span> },
              { key: 'hash', label: 'Hash', value: (row) => row.hash, render: (row) => <code title={row.hash}>{row.hash.slice(0, 12)}…</code> },
              openColumn((id) => model.openRecord(id)) as Column<HistoryRow>,
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

const yesNo = (value: boolean) => (value ? t('yes') : t('no'));

function RecordFields({ record }: { record: RecordEvidence['record'] }) {
  const fields: Fact[] = [
    [t('time'), formatDateTime(record.recordedAt)],
    [t('site'), record.siteKey],
    [t('consentId'), <code>{record.consentId}</code>],
    [t('action'), record.action],
    [t('choices'), choices(record)],
    [t('source'), record.source],
    [t('policyVersion'), record.policyVersion],
    [t('recordLocale'), tDynamic(`locale_${record.locale}`)],
    [t('pageUrl'), record.pageUrl ?? '–'],
    [t('account'), record.account ?? '–'],
    // null: recorded before GPC was kept as its own field.
    [t('gpc'), record.gpc === null ? '–' : yesNo(record.gpc)],
    [t('stale'), yesNo(record.stale)],
    [t('chain'), <span class={`badge ${record.chain}`}>{tDynamic(record.chain)}</span>],
    ['Hash', <code>{record.hash}</code>],
  ];
  return <Facts facts={fields} class="sightings record-fields" />;
}

/** The banner as its user saw it, in their locale: texts, button labels and categories with the inventory then declared. */
function ShownText({ content }: { content: NonNullable<NonNullable<RecordEvidence['shown']>['content']> }) {
  const labels = Object.entries(content.labels) as Array<[keyof typeof content.labels, string]>;
  return (
    <article class="shown" aria-labelledby="shown-title" data-locale={content.locale}>
      <h3 id="shown-title" class="muted">
        {t('asShown', { locale: t(`locale_${content.locale}`) })}
      </h3>
      <div class="shown-banner" lang={content.locale}>
        <h4 class="shown-title">{content.title}</h4>
        <p class="shown-body">{content.body}</p>
      </div>
      <dl class="sightings shown-labels">
        {labels.map(([name, text]) => (
          <Fragment key={name}>
            <dt>{t(`label_${name}`)}</dt>
            <dd lang={content.locale} data-label={name}>
              {text}
            </dd>
          </Fragment>
        ))}
      </dl>
      {content.categories.map((category) => (
        <section key={category.category} class="shown-category" data-category={category.category}>
          <h4 lang={content.locale}>
            {category.title}
            {category.required && <span class="muted"> ({t('alwaysOn')})</span>}
          </h4>
          <p lang={content.locale}>{category.description}</p>
          {category.items.length > 0 && (
            <ul class="shown-items">
              {category.items.map((item) => (
                <li key={`${item.kind}-${item.name}`}>
                  <code>{item.name}</code> · {item.provider}
                  {item.domain ? ` · ${item.domain}` : ''} · <span lang={content.locale}>{item.purpose}</span> · <span lang={content.locale}>{item.retention}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </article>
  );
}

function Evidence({ detail }: { detail: RecordEvidence }) {
  const shown = detail.shown;
  if (!shown) {
    return (
      <p class="warning" role="status" data-evidence="missing">
        {detail.record.shownHash ? t('shownGone', { hash: detail.record.shownHash }) : t('shownMissing')}
      </p>
    );
  }
  return (
    <>
      {shown.matches ? (
        <p class="notice" data-evidence="matches">
          ✓ {t('shownMatches', { hash: shown.hash })}
        </p>
      ) : (
        <p class="error" role="alert" data-evidence="mismatch">
          ⚠ {t('shownMismatch', { hash: shown.hash })}
        </p>
      )}
      {shown.content ? <ShownText content={shown.content} /> : <p class="error">{t('shownUnreadable')}</p>}
    </>
  );
}

function RecordView({ model }: { model: RecordsModel }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const id = model.recordId.value;
  // The view opens below the tables: focus moves to it, so keyboard and screen-reader users land on what they opened.
  useEffect(() => {
    if (id !== null) heading.current?.focus();
  }, [id]);
  if (id === null) return null;
  return (
    <section class="card record-view" aria-labelledby="record-title">
      <div class="card-head">
        <h2 id="record-title" ref={heading} tabIndex={-1}>
          {t('recordTitle', { id })}
        </h2>
        <button type="button" class="secondary" onClick={() => model.closeRecord()}>
          {t('close')}
        </button>
      </div>
      <Loaded loader={model.record}>
        {(detail) => (
          <>
            {detail.record.stale && (
              <p class="warning" data-stale>
                {t('staleMark')}
              </p>
            )}
            <RecordFields record={detail.record} />
            <Evidence detail={detail} />
          </>
        )}
      </Loaded>
    </section>
  );
}

function SubjectRequest({ model }: { model: RecordsModel }) {
  const id = model.subjectId.value.trim();
  return (
    <section class="card">
      <h2>{t('subjectRequest')}</h2>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          model.erased.value = null;
          if (id) void model.subject.load();
        }}
      >
        <input aria-label={t('consentId')} placeholder={t('consentId')} value={model.subjectId.value} onInput={(event) => (model.subjectId.value = (event.target as HTMLInputElement).value)} />
        <button type="submit">{t('search')}</button>
      </form>
      {(model.subject.data.value || model.subject.error.value) && (
        <Loaded loader={model.subject}>
          {(subject) => (
            <div>
              <p>{t('subjectSummary', { records: subject.records.length, events: subject.eventCount })}</p>
              <div class="actions">
                <a class="button secondary" href={api.subjectExportUrl(subject.consentId)} download>
                  {t('exportSubject')}
                </a>
                <button type="button" class="danger" disabled={subject.eventCount === 0} onClick={() => void model.eraseEvents(t('eraseConfirm'))}>
                  {t('eraseEvents')}
                </button>
              </div>
            </div>
          )}
        </Loaded>
      )}
      {model.erased.value !== null && (
        <p class="notice" role="status">
          {t('erased', { count: model.erased.value })}
        </p>
      )}
    </section>
  );
}

export function RecordsPage() {
  const model = useMemo(createRecordsModel, []);
  useEffect(() => void model.results.load(), [model]);
  const chain = model.chain.value;
  return (
    <div class="page">
      <SearchForm model={model} />
      {model.error.value && <ErrorNote message={model.error.value} />}
      <Loaded loader={model.results}>
        {() => (
          <>
            <Table
              label={t('navRecords')}
              rows={model.rows.value}
              rowKey={(row) => row.id}
              empty={t('noRecords')}
              columns={[...recordColumns(), openColumn((id) => model.openRecord(id))]}
              rowAction={{ column: 'consentId', label: (row) => t('showHistory', { id: row.consentId }), run: (row) => model.showHistory(row.consentId) }}
            />
            {model.more.value && (
              <button type="button" class="secondary" onClick={() => void model.loadMore()}>
                {t('loadMore')}
              </button>
            )}
          </>
        )}
      </Loaded>
      <RecordView model={model} />
      <History model={model} />
      <section class="card">
        <div class="actions">
          {sites.value.map((site) => (
            <button key={site.id} type="button" class="secondary" onClick={() => void model.verify(site.id)}>
              {t('verifyChain')}: {site.name}
            </button>
          ))}
        </div>
        {chain?.intact && <p class="notice">{t('chainIntact', { site: chain.site, count: chain.checked })}</p>}
        {chain && !chain.intact && <ErrorNote message={chain.problem ?? ''} />}
      </section>
      {can('subject_requests.handle') && <SubjectRequest model={model} />}
    </div>
  );
}
