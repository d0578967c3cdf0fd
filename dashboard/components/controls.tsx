/** The site and period pickers that sit on top of the analytics and settings pages. */
import type { Signal } from '@preact/signals';
import type { Period, Site } from '../api.ts';
import { t } from '../i18n.ts';
import { siteId, sites } from '../models/session.ts';

/** Archived sites stay in the pickers, since their evidence and analytics stay readable. */
export function siteLabel(site: Site): string {
  return site.archivedAt ? `${site.name} (${site.surface}, ${t('archived').toLowerCase()})` : `${site.name} (${site.surface})`;
}

export function SitePicker({ allowAll, value }: { allowAll?: boolean; value?: Signal<number | null> }) {
  const selected = value ?? siteId;
  return (
    <label class="control">
      {t('site')}
      <select
        value={selected.value === null ? '' : String(selected.value)}
        onChange={(event) => {
          const raw = (event.target as HTMLSelectElement).value;
          selected.value = raw === '' ? null : Number(raw);
        }}
      >
        {allowAll && <option value="">{t('allSites')}</option>}
        {sites.value.map((site) => (
          <option key={site.id} value={String(site.id)}>
            {siteLabel(site)}
          </option>
        ))}
      </select>
    </label>
  );
}

const PERIODS = [
  ['today', 'today'],
  ['7d', 'last7'],
  ['30d', 'last30'],
  ['custom', 'custom'],
] as const;

export function PeriodPicker({ period }: { period: Signal<Period> }) {
  const current = period.value;
  const today = new Date().toISOString().slice(0, 10);
  return (
    <div class="control-group">
      <label class="control">
        {t('period')}
        <select
          value={current.period}
          onChange={(event) => {
            const chosen = (event.target as HTMLSelectElement).value as Period['period'];
            period.value = chosen === 'custom' ? { period: chosen, from: current.from ?? today, to: current.to ?? today } : { period: chosen };
          }}
        >
          {PERIODS.map(([value, label]) => (
            <option key={value} value={value}>
              {t(label)}
            </option>
          ))}
        </select>
      </label>
      {current.period === 'custom' && (
        <>
          <label class="control">
            {t('from')}
            <input type="date" value={current.from} max={today} onChange={(event) => (period.value = { ...current, from: (event.target as HTMLInputElement).value })} />
          </label>
          <label class="control">
            {t('to')}
            <input type="date" value={current.to} max={today} onChange={(event) => (period.value = { ...current, to: (event.target as HTMLInputElement).value })} />
          </label>
        </>
      )}
    </div>
  );
}
