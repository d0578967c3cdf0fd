/** The overview's live panel: visitors in the last five minutes and the pages they are on, refreshed in place. */
import { useEffect, useMemo } from 'preact/hooks';
import { api, type Realtime } from '../api.ts';
import { formatNumber, t } from '../i18n.ts';
import { createRealtimeModel } from '../models/realtime.ts';
import { currentSite } from '../models/session.ts';
import { ExportLink } from './export-link.tsx';
import { ErrorNote } from './states.tsx';
import { Table } from './table.tsx';

export function RealtimePanel() {
  const model = useMemo(createRealtimeModel, []);
  useEffect(() => model.start(), [model]);
  const data = model.now.data.value;
  const site = currentSite.value;
  const title = t('realtimeTitle');
  return (
    <section class="panel realtime" data-panel="realtime" aria-label={title}>
      <h2>
        {title}
        {site && <ExportLink href={api.realtimeExportUrl(site.id)} title={title} />}
      </h2>
      {model.now.error.value && <ErrorNote message={model.now.error.value} onRetry={() => void model.now.load()} />}
      {/* Announced when it changes, so a screen reader hears the count without hunting for it. */}
      <p class="realtime-count" aria-live="polite">
        <strong data-realtime-visitors>{data ? formatNumber(data.visitors) : '–'}</strong> {t('realtimeVisitors')}
      </p>
      {data && (
        <Table<Realtime['pages'][number]>
          label={title}
          rows={data.pages}
          rowKey={(row) => row.path}
          empty={t('realtimeEmpty')}
          columns={[
            { key: 'path', label: t('realtimePage'), value: (row) => row.path },
            { key: 'visitors', label: t('visitors'), value: (row) => row.visitors, render: (row) => formatNumber(row.visitors), numeric: true },
          ]}
        />
      )}
    </section>
  );
}
