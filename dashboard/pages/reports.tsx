/**
 * Reports: a site's scheduled email report. The schedule (weekly or monthly, in which language), who gets it (and
 * who unsubscribed from a mail's link), a test send, and every mail of the schedule: sent, waiting to be retried
 * with its error and next try, or given up.
 */
import { useEffect, useMemo } from 'preact/hooks';
import type { ReportDelivery, ReportRecipient, ReportsStatus } from '../api.ts';
import { SitePicker } from '../components/controls.tsx';
import { ActionForm, Choice, Field, FormProblem, SaveRow } from '../components/fields.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { REPORT_FREQUENCIES, REPORT_LANGUAGES } from '../../server/domain/reports.ts';
import { formatDateTime, t } from '../i18n.ts';
import { createReportsModel, type ReportsModel } from '../models/reports.ts';

const SCHEDULE_FIELDS = ['frequency', 'language'];
const RECIPIENT_FIELDS = ['email'];

/** The period's first and last day (its end is exclusive). */
function periodDays(period: ReportDelivery['period']): string {
  const day = (iso: string) => iso.slice(0, 10);
  return `${day(period.from)} – ${day(new Date(new Date(period.to).getTime() - 1).toISOString())}`;
}

function ScheduleForm({ model, status }: { model: ReportsModel; status: ReportsStatus }) {
  const { plan } = model;
  return (
    <ActionForm label={t('reportSchedule')} layout="card form-grid" submit={model.saveSchedule}>
      <h2>{t('reportSchedule')}</h2>
      <Choice label={t('reportFrequency')} value={plan.frequency} options={REPORT_FREQUENCIES} text={(frequency) => t(`reportFrequency_${frequency}`)} />
      <Choice label={t('reportLanguage')} value={plan.language} options={REPORT_LANGUAGES} text={(language) => t(`reportLanguage_${language}`)} />
      <FormProblem problem={plan.problem.value} fields={SCHEDULE_FIELDS} />
      <p class="note" data-next-report>
        {status.schedule.nextSendAt ? t('nextReportAt', { time: formatDateTime(status.schedule.nextSendAt) }) : t('noScheduledReports')}
      </p>
      <SaveRow label={t('saveSchedule')} saved={plan.saved.value} disabled={!status.smtpConfigured && plan.frequency.value !== 'off'} />
    </ActionForm>
  );
}

function Recipients({ model, recipients }: { model: ReportsModel; recipients: readonly ReportRecipient[] }) {
  const { recipient } = model;
  return (
    <section class="card" aria-labelledby="report-recipients-title">
      <h2 id="report-recipients-title">{t('reportRecipients')}</h2>
      <Table<ReportRecipient>
        label={t('reportRecipients')}
        rows={recipients}
        rowKey={(row) => row.id}
        empty={t('noReportRecipients')}
        columns={[
          { key: 'email', label: t('email'), value: (row) => row.email },
          {
            key: 'state',
            label: t('status'),
            value: (row) => row.unsubscribedAt ?? '',
            render: (row) => (row.unsubscribedAt ? t('unsubscribedAt', { time: formatDateTime(row.unsubscribedAt) }) : t('subscribed')),
          },
          {
            key: 'remove',
            label: t('remove'),
            hideLabel: true,
            render: (row) => (
              <button type="button" class="link" aria-label={t('removeRecipientNamed', { email: row.email })} onClick={() => void model.removeRecipient(row.id)}>
                {t('remove')}
              </button>
            ),
          },
        ]}
      />
      {model.removeError.value && <ErrorNote message={model.removeError.value} />}
      <ActionForm label={t('addRecipient')} layout="inline-form" submit={model.addRecipient}>
        <Field label={t('email')} value={recipient.email} problem={recipient.problem.value} field="email">
          {(control) => <input type="email" autocomplete="off" {...control} />}
        </Field>
        <button type="submit">{t('addRecipient')}</button>
      </ActionForm>
      <FormProblem problem={recipient.problem.value} fields={RECIPIENT_FIELDS} />
    </section>
  );
}

function TestSend({ model, status }: { model: ReportsModel; status: ReportsStatus }) {
  const { test } = model;
  const subscribed = status.recipients.some((row) => row.unsubscribedAt === null);
  return (
    <section class="card" aria-labelledby="report-test-title">
      <h2 id="report-test-title">{t('reportTest')}</h2>
      <p class="note">{t('reportTestHelp')}</p>
      <div class="actions">
        <button type="button" disabled={!status.smtpConfigured || !subscribed || test.sending.value} onClick={() => void model.sendTest()}>
          {t('sendTestReport')}
        </button>
      </div>
      {test.error.value && <ErrorNote message={test.error.value} />}
      {test.results.value && (
        <ul role="status" data-test-results>
          {test.results.value.map((result) => (
            <li key={result.email}>{result.error ? t('testSendFailed', { email: result.email, error: result.error }) : t('testSent', { email: result.email })}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Deliveries({ deliveries }: { deliveries: readonly ReportDelivery[] }) {
  return (
    <section class="card" aria-labelledby="report-deliveries-title">
      <h2 id="report-deliveries-title">{t('reportDeliveries')}</h2>
      <Table<ReportDelivery>
        label={t('reportDeliveries')}
        rows={deliveries}
        rowKey={(row) => row.id}
        empty={t('noReportDeliveries')}
        columns={[
          { key: 'period', label: t('reportPeriod'), value: (row) => row.period.from, render: (row) => periodDays(row.period) },
          { key: 'email', label: t('email'), value: (row) => row.email },
          {
            key: 'status',
            label: t('status'),
            value: (row) => row.status,
            render: (row) => (
              <span class="badge delivery-status" data-status={row.status}>
                {t(`deliveryStatus_${row.status}`)}
              </span>
            ),
          },
          { key: 'attempts', label: t('attempts'), value: (row) => row.attempts, numeric: true },
          { key: 'last', label: t('lastAttempt'), value: (row) => row.lastAttemptAt, render: (row) => (row.lastAttemptAt ? formatDateTime(row.lastAttemptAt) : '–') },
          { key: 'error', label: t('lastError'), render: (row) => row.lastError ?? '–' },
          { key: 'next', label: t('nextRetry'), value: (row) => row.nextAttemptAt, render: (row) => (row.nextAttemptAt ? formatDateTime(row.nextAttemptAt) : '–') },
        ]}
      />
    </section>
  );
}

export function ReportsPage() {
  const model = useMemo(createReportsModel, []);
  useEffect(() => model.start(), [model]);
  return (
    <div class="page">
      <div class="toolbar">
        <SitePicker />
      </div>
      <Loaded loader={model.status}>
        {(status) => (
          <>
            {!status.smtpConfigured && (
              <p class="warning" data-smtp-missing>
                {t('smtpNotConfigured')}
              </p>
            )}
            <div class="panels wide">
              <ScheduleForm model={model} status={status} />
              <TestSend model={model} status={status} />
            </div>
            <Recipients model={model} recipients={status.recipients} />
            <Deliveries deliveries={status.deliveries} />
          </>
        )}
      </Loaded>
    </div>
  );
}
