/**
 * A report as a mail: subject, HTML and plain text, in the schedule's language. Every value from outside this file
 * (site name, page paths, campaign and goal names, addresses) goes through escapeHtml in the HTML part.
 */
import type { StaffLocale } from '../domain/consent.ts';
import type { DateRange } from '../domain/stats.ts';
import type { Compared, RankedValue, ReportSummary } from './summary.ts';

export interface RenderedReport {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export interface ReportLinks {
  /** The recipient's own: opens a page that unsubscribes them, no login needed. */
  readonly unsubscribe: string;
  readonly dashboard: string;
}

const TEXTS = {
  nb: {
    weekly: 'Ukesrapport',
    monthly: 'Månedsrapport',
    period: 'Periode',
    comparedWith: 'sammenlignet med',
    figure: 'Tall',
    thisPeriod: 'Denne perioden',
    previousPeriod: 'Forrige periode',
    change: 'Endring',
    visitors: 'Besøkende',
    visits: 'Besøk',
    pageviews: 'Sidevisninger',
    optInRate: 'Samtykke til analyse',
    decisions: 'samtykkevalg',
    topPages: 'Mest besøkte sider (sidevisninger)',
    topCampaigns: 'Kampanjer (besøk)',
    goals: 'Mål (konverteringer)',
    none: 'Ingen i perioden.',
    new: 'ny',
    points: 'prosentpoeng',
    consentNote: 'Tallene gjelder besøkende som har samtykket til analyse.',
    dashboard: 'Åpne dashbordet',
    why: 'Du får denne e-posten fordi en analytiker har satt deg opp som mottaker av rapporten for',
    unsubscribe: 'Meld deg av',
  },
  en: {
    weekly: 'Weekly report',
    monthly: 'Monthly report',
    period: 'Period',
    comparedWith: 'compared with',
    figure: 'Figure',
    thisPeriod: 'This period',
    previousPeriod: 'Previous period',
    change: 'Change',
    visitors: 'Visitors',
    visits: 'Visits',
    pageviews: 'Pageviews',
    optInRate: 'Analytics consent',
    decisions: 'consent decisions',
    topPages: 'Top pages (pageviews)',
    topCampaigns: 'Campaigns (visits)',
    goals: 'Goals (conversions)',
    none: 'None in this period.',
    new: 'new',
    points: 'pp',
    consentNote: 'The figures cover visitors who consented to analytics.',
    dashboard: 'Open the dashboard',
    why: 'You get this mail because an analyst listed you as a recipient of the report for',
    unsubscribe: 'Unsubscribe',
  },
} satisfies Record<StaffLocale, Record<string, string>>;

type Texts = (typeof TEXTS)[StaffLocale];

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** A range's first and last day, as dates (the end is exclusive). */
function days(range: DateRange): string {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  return `${day(range.from)} – ${day(new Date(range.to.getTime() - 1))}`;
}

function formatter(locale: StaffLocale) {
  const numbers = new Intl.NumberFormat(locale === 'nb' ? 'nb-NO' : 'en-GB', { maximumFractionDigits: 1 });
  return {
    count: (value: number) => numbers.format(value),
    rate: (value: number | null) => (value === null ? '–' : `${numbers.format(value)} %`),
  };
}

/** A count's change in percent, or a rate's in percentage points. */
function change(figure: Compared<number | null>, kind: 'count' | 'rate', text: Texts, locale: StaffLocale): string {
  const { current, previous } = figure;
  if (current === null || previous === null) return '–';
  const signed = (value: number, unit: string) => {
    const rounded = Math.round(value * 10) / 10;
    return `${rounded > 0 ? '+' : rounded < 0 ? '−' : '±'}${formatter(locale).count(Math.abs(rounded))}${unit}`;
  };
  if (kind === 'rate') return signed(current - previous, ` ${text.points}`);
  if (previous === 0) return current === 0 ? '±0 %' : text.new;
  return signed((100 * (current - previous)) / previous, ' %');
}

interface Row {
  readonly label: string;
  readonly current: string;
  readonly previous: string;
  readonly change: string;
}

function figureRows(summary: ReportSummary, text: Texts, locale: StaffLocale): Row[] {
  const { count, rate } = formatter(locale);
  const counted = (label: string, figure: Compared<number>) => ({ label, current: count(figure.current), previous: count(figure.previous), change: change(figure, 'count', text, locale) });
  return [
    counted(text.visitors, summary.visitors),
    counted(text.visits, summary.visits),
    counted(text.pageviews, summary.pageviews),
    {
      label: text.optInRate,
      current: `${rate(summary.optInRate.current)} (${count(summary.decisions.current)} ${text.decisions})`,
      previous: `${rate(summary.optInRate.previous)} (${count(summary.decisions.previous)} ${text.decisions})`,
      change: change(summary.optInRate, 'rate', text, locale),
    },
  ];
}

function rankedRows(values: readonly RankedValue[], text: Texts, locale: StaffLocale): Row[] {
  const { count } = formatter(locale);
  return values.map((value) => ({ label: value.value, current: count(value.current), previous: count(value.previous), change: change(value, 'count', text, locale) }));
}

interface Section {
  readonly title: string;
  readonly head: string;
  readonly rows: readonly Row[];
}

function sections(summary: ReportSummary, text: Texts, locale: StaffLocale): Section[] {
  const { count, rate } = formatter(locale);
  const list: Section[] = [
    { title: '', head: text.figure, rows: figureRows(summary, text, locale) },
    { title: text.topPages, head: '', rows: rankedRows(summary.topPages, text, locale) },
    { title: text.topCampaigns, head: '', rows: rankedRows(summary.topCampaigns, text, locale) },
  ];
  if (summary.goals.length > 0) {
    list.push({
      title: text.goals,
      head: '',
      rows: summary.goals.map((goal) => ({
        label: goal.name,
        current: `${count(goal.conversions.current)} (${rate(goal.conversionRate.current)})`,
        previous: `${count(goal.conversions.previous)} (${rate(goal.conversionRate.previous)})`,
        change: change(goal.conversions, 'count', text, locale),
      })),
    });
  }
  return list;
}

function htmlTable(section: Section, text: Texts): string {
  const cell = (value: string, tag = 'td', align = 'right') => `<${tag} style="padding:4px 8px;text-align:${align};border-bottom:1px solid #ddd">${escapeHtml(value)}</${tag}>`;
  const title = section.title ? `<h2 style="font-size:16px;margin:24px 0 8px">${escapeHtml(section.title)}</h2>` : '';
  if (section.rows.length === 0) return `${title}<p>${escapeHtml(text.none)}</p>`;
  const head = `<tr>${cell(section.head, 'th', 'left')}${cell(text.thisPeriod, 'th')}${cell(text.previousPeriod, 'th')}${cell(text.change, 'th')}</tr>`;
  const rows = section.rows.map((row) => `<tr>${cell(row.label, 'td', 'left')}${cell(row.current)}${cell(row.previous)}${cell(row.change)}</tr>`);
  return `${title}<table style="border-collapse:collapse;min-width:100%">${head}${rows.join('')}</table>`;
}

function textTable(section: Section, text: Texts): string[] {
  const lines = section.title ? ['', section.title] : [];
  if (section.rows.length === 0) return [...lines, `  ${text.none}`];
  return [...lines, ...section.rows.map((row) => `  ${row.label}: ${row.current} (${text.previousPeriod.toLowerCase()}: ${row.previous}, ${row.change})`)];
}

export function renderReport(summary: ReportSummary, locale: StaffLocale, links: ReportLinks): RenderedReport {
  const text = TEXTS[locale];
  const title = `${text[summary.frequency]}: ${summary.site.name}`;
  const period = `${text.period}: ${days(summary.period)} (${text.comparedWith} ${days(summary.previousPeriod)})`;
  const parts = sections(summary, text, locale);
  const html = [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:system-ui,sans-serif;color:#1b1b1b;max-width:640px;margin:0 auto;padding:16px">',
    `<h1 style="font-size:20px">${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(period)}</p>`,
    ...parts.map((section) => htmlTable(section, text)),
    `<p style="color:#555">${escapeHtml(text.consentNote)}</p>`,
    `<p><a href="${escapeHtml(links.dashboard)}">${escapeHtml(text.dashboard)}</a></p>`,
    `<p style="color:#555;font-size:13px">${escapeHtml(`${text.why} ${summary.site.name}.`)} <a href="${escapeHtml(links.unsubscribe)}">${escapeHtml(text.unsubscribe)}</a></p>`,
    '</body></html>',
  ].join('\n');
  const plain = [
    title,
    period,
    '',
    ...parts.flatMap((section) => textTable(section, text)),
    '',
    text.consentNote,
    `${text.dashboard}: ${links.dashboard}`,
    '',
    `${text.why} ${summary.site.name}.`,
    `${text.unsubscribe}: ${links.unsubscribe}`,
  ].join('\n');
  return { subject: `${title} (${days(summary.period)})`, html, text: plain };
}
