/** Consent-record search with paging, a consent ID's history, one record with what its user saw, chain verification and data-subject requests. */
import { signal } from '@preact/signals';
import { api, type HistoryRow, type RecordEvidence, type RecordRow, type RecordSearch } from '../api.ts';
import { attempt, createLoader } from './loader.ts';

const PAGE = 50;

export function createRecordsModel() {
  const search = signal<RecordSearch>({});
  const rows = signal<RecordRow[]>([]);
  const more = signal(false);
  const results = createLoader(async () => {
    const page = await api.records(search.value);
    rows.value = page;
    more.value = page.length === PAGE;
    return page;
  });
  const historyOf = signal<string | null>(null);
  const history = createLoader<HistoryRow[]>(() => api.history(historyOf.value!));
  const recordId = signal<number | null>(null);
  const record = createLoader<RecordEvidence>(() => api.record(recordId.value!));
  const chain = signal<Awaited<ReturnType<typeof api.verifyChain>> | null>(null);
  const error = signal<string | null>(null);
  const subjectId = signal('');
  const subject = createLoader(() => api.subject(subjectId.value.trim()));
  const erased = signal<number | null>(null);

  async function loadMore(): Promise<void> {
    const last = rows.value.at(-1);
    if (!last) return;
    await attempt(error, async () => {
      const page = await api.records(search.value, last.id);
      rows.value = [...rows.value, ...page];
      more.value = page.length === PAGE;
    });
  }

  function showHistory(consentId: string): void {
    historyOf.value = consentId;
    void history.load();
  }

  function openRecord(id: number): void {
    recordId.value = id;
    void record.load();
  }

  function closeRecord(): void {
    recordId.value = null;
    record.data.value = null;
  }

  async function verify(siteId: number): Promise<void> {
    await attempt(error, async () => (chain.value = await api.verifyChain(siteId)));
  }

  async function eraseEvents(confirmText: string): Promise<void> {
    const id = subjectId.value.trim();
    if (!id || !confirm(confirmText)) return;
    await attempt(error, async () => {
      erased.value = (await api.eraseSubjectEvents(id)).erased;
      await subject.load();
    });
  }

  return { search, rows, more, results, historyOf, history, recordId, record, chain, error, subjectId, subject, erased, loadMore, showHistory, openRecord, closeRecord, verify, eraseEvents };
}

export type RecordsModel = ReturnType<typeof createRecordsModel>;
