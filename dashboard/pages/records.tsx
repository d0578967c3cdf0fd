/** Consent records for privacy officers: search, history with chain status, exports and data-subject requests. */
import { useEffect, useMemo } from 'preact/hooks';
import { api, type HistoryRow, type RecordRow, type RecordSearch } from '../api.ts';
import { siteLabel } from '../components/controls.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { Table, type Column } from '../components/table.tsx';
import { ACTIONS } from '../../server/domain/consent.ts';
import { formatDateTime, t, tDynamic } from '../i18n.ts';
import { createRecordsModel, type RecordsModel } from '../models/records.ts';
import { can, sites } from '../models/session.ts';

const choices = (row: RecordRow) => ['functional', 'analytics', 'ads'].filter((category) => row[category as 'ads']).map((category) => t(category as 'ads')).join(', ') || '–';

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
        </>
      )}
    </form>
  );
}

function History({ model }: { model: RecordsModel }) {
  if (!model.historyOf.value) return null;
  return (
    <section class="card">
      <h3>{t('history', { id: model.historyOf.value })}</h3>
      <Loaded loader={model.history}>
        {(rows) => (
          <Table<HistoryRow>
            rows={rows}
            rowKey={(row) => row.id}
            empty={t('noRecords')}
            columns={[
              ...(recordColumns() as ReadonlyArray<Column<HistoryRow>>),
              { key: 'chain', label: t('chain'), value: (row) => row.chain, render: (row) => <span class={`badge ${row.chain}`}>{tDynamic(row.chain)}</span> },
              { key: 'hash', label: 'Hash', value: (row) => row.hash, render: (row) => <code title={row.hash}>{row.hash.slice(0, 12)}…</code> },
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

function SubjectRequest({ model }: { model: RecordsModel }) {
  const id = model.subjectId.value.trim();
  return (
    <section class="card">
      <h3>{t('subjectRequest')}</h3>
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
            <Table label={t('navRecords')} rows={model.rows.value} rowKey={(row) => row.id} empty={t('noRecords')} columns={recordColumns()} onRowClick={(row) => model.showHistory(row.consentId)} />
            {model.more.value && (
              <button type="button" class="secondary" onClick={() => void model.loadMore()}>
                {t('loadMore')}
              </button>
            )}
          </>
        )}
      </Loaded>
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
