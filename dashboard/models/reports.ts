/** A site's email report: the schedule, the recipients, what was sent or failed, and a test send. */
import { effect, signal } from '@preact/signals';
import { api, type TestSendResult } from '../api.ts';
import type { StaffLocale } from '../../server/domain/consent.ts';
import type { ReportFrequency } from '../../server/domain/reports.ts';
import { attempt, attemptForm, createLoader, type Problem } from './loader.ts';
import { currentSiteId } from './session.ts';

export function createReportsModel() {
  // Peeked: the start effect reloads when another site is picked, not when the site list is reloaded.
  const siteOf = () => currentSiteId.peek()!;
  const status = createLoader(() => api.reports(siteOf()));
  const plan = {
    frequency: signal<ReportFrequency>('off'),
    language: signal<StaffLocale>('nb'),
    problem: signal<Problem | null>(null),
    saved: signal(false),
  };
  const recipient = { email: signal(''), problem: signal<Problem | null>(null) };
  const removeError = signal<string | null>(null);
  const test = { sending: signal(false), results: signal<readonly TestSendResult[] | null>(null), error: signal<string | null>(null) };

  /** The status, and the schedule form filled in from it (only for the site still picked). */
  async function load(picked: number): Promise<void> {
    await status.load();
    const loaded = status.data.peek();
    if (!loaded || picked !== currentSiteId.peek()) return;
    plan.frequency.value = loaded.schedule.frequency;
    plan.language.value = loaded.schedule.language;
  }

  async function saveSchedule(): Promise<void> {
    plan.saved.value = false;
    const site = siteOf();
    plan.saved.value = await attemptForm(plan.problem, () => api.saveReportSchedule(site, { frequency: plan.frequency.value, language: plan.language.value }));
    if (plan.saved.value) await status.load();
  }

  async function addRecipient(): Promise<void> {
    const site = siteOf();
    if (await attemptForm(recipient.problem, () => api.addReportRecipient(site, recipient.email.value.trim()))) {
      recipient.email.value = '';
      await status.load();
    }
  }

  async function removeRecipient(recipientId: number): Promise<void> {
    const site = siteOf();
    if (await attempt(removeError, () => api.removeReportRecipient(site, recipientId))) await status.load();
  }

  /** The last complete period of the schedule's frequency (a week while it is off). */
  async function sendTest(): Promise<void> {
    const site = siteOf();
    const frequency = plan.frequency.value === 'off' ? 'weekly' : plan.frequency.value;
    test.sending.value = true;
    test.results.value = null;
    await attempt(test.error, async () => (test.results.value = (await api.sendTestReport(site, frequency, plan.language.value)).results));
    test.sending.value = false;
  }

  function start(): () => void {
    return effect(() => {
      const site = currentSiteId.value;
      if (site === null) return;
      plan.problem.value = null;
      plan.saved.value = false;
      recipient.problem.value = null;
      removeError.value = null;
      test.results.value = null;
      test.error.value = null;
      void load(site);
    });
  }

  return { status, plan, recipient, removeError, test, saveSchedule, addRecipient, removeRecipient, sendTest, start };
}

export type ReportsModel = ReturnType<typeof createReportsModel>;
