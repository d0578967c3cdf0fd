/** The audit log: every change and export, who made it, when, and for which site. */
import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { api, type AuditRow } from '../api.ts';
import { Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { formatDateTime, t } from '../i18n.ts';
import { createLoader } from '../models/loader.ts';

export function AuditPage() {
  const rows = useSignal<AuditRow[]>([]);
  const log = useMemo(() => createLoader(async () => (rows.value = await api.audit())), [rows]);
  useEffect(() => void log.load(), [log]);
  const loadMore = async () => {
    const last = rows.value.at(-1);
    if (last) rows.value = [...rows.value, ...(await api.audit(last.id))];
  };
  return (
    <div class="page">
      <Loaded loader={log}>
        {() => (
          <>
            <Table<AuditRow>
              label={t('navAudit')}
              rows={rows.value}
              rowKey={(row) => row.id}
              empty={t('noAudit')}
              columns={[
                { key: 'time', label: t('time'), value: (row) => row.occurredAt, render: (row) => formatDateTime(row.occurredAt) },
                { key: 'who', label: t('who'), value: (row) => row.userEmail ?? row.apiKey ?? 'system' },
                { key: 'what', label: t('what'), value: (row) => row.action },
                { key: 'site', label: t('site'), value: (row) => row.siteKey },
                { key: 'target', label: t('target'), value: (row) => row.target ?? (row.detail ? JSON.stringify(row.detail) : null) },
              ]}
            />
            {rows.value.length > 0 && rows.value.length % 100 === 0 && (
              <button type="button" class="secondary" onClick={() => void loadMore()}>
                {t('loadMore')}
              </button>
            )}
          </>
        )}
      </Loaded>
    </div>
  );
}
