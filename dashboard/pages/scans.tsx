/**
 * Cookie scans of a site: start one, follow it, read what the inventory gets wrong (by item and by page), confirm a
 * suggested item into the inventory, the history, and the schedule.
 */
import type { Signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo } from 'preact/hooks';
import type { Scan, ScanFinding, ScanView } from '../api.ts';
import { SitePicker } from '../components/controls.tsx';
import { Facts, type Fact } from '../components/facts.tsx';
import { ActionForm, Choice, Field, FormProblem, SaveRow } from '../components/fields.tsx';
import { ErrorNote, Loaded, Loading } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { CATEGORIES, type Category } from '../../server/domain/consent.ts';
import { INVENTORY_KINDS, PARTIES } from '../../server/domain/inventory.ts';
import { defaultStartUrls, SCAN_PAGE_LIMIT, SCAN_SCHEDULES } from '../../server/domain/scan.ts';
import { FINDING_TYPES } from '../../server/domain/scan-findings.ts';
import { formatDateTime, formatNumber, t } from '../i18n.ts';
import type { Problem } from '../models/loader.ts';
import { createScansModel, ITEM_TEXT_FIELDS, type ItemTextField, type Proposal, type ResultsView, type ScansModel, type UndeclaredFinding } from '../models/scans.ts';
import { currentSite } from '../models/session.ts';

type ScanResult = NonNullable<ScanView['result']>;
type PageSummary = ScanResult['pages'][number];
type PageVisit = PageSummary['visits'][number];
type SkippedPage = ScanResult['skipped'][number];

const VIEWS: readonly ResultsView[] = ['items', 'pages'];
/** Pages listed with a finding; the by-page view has them all. */
const PAGES_SHOWN = 5;
const DAY_SECONDS = 86_400;

const categoryText = (category: Category | 'unknown') => (category === 'unknown' ? t('category_unknown') : t(category));

/**
 * Where a scan starts and how far it goes, the same in the start form and the schedule; `pagesField` is the limit's
 * name in the form's request body, as the server's 400 names it (`pages` to start a scan, `pageLimit` in a schedule).
 */
function ScanScope({
  urls,
  pages,
  pagesField,
  problem,
  urlsHelp,
}: {
  urls: Signal<string>;
  pages: Signal<string>;
  pagesField: 'pages' | 'pageLimit';
  problem: Problem | null;
  urlsHelp: 'startUrlsHelp' | 'scheduleUrlsHelp';
}) {
  const origins = defaultStartUrls(currentSite.value?.allowedOrigins ?? []);
  return (
    <>
      <Field label={t('startUrls')} value={urls} problem={problem} field="urls" help={t(urlsHelp, { origins: origins.join(', ') || t('none') })} optional>
        {(control) => <textarea rows={3} placeholder={origins[0] ?? 'https://www.kunde.no/'} spellcheck={false} {...control} />}
      </Field>
      <Field label={t('pageLimit')} value={pages} problem={problem} field={pagesField} help={t('pageLimitHelp', { max: formatNumber(SCAN_PAGE_LIMIT.max) })}>
        {(control) => <input type="number" min={1} max={SCAN_PAGE_LIMIT.max} step={1} {...control} />}
      </Field>
    </>
  );
}

const START_FIELDS = ['urls', 'pages'];
const SCHEDULE_FIELDS = ['urls', 'pageLimit'];

function StartScan({ model }: { model: ScansModel }) {
  const { request } = model;
  return (
    <ActionForm label={t('startScan')} layout="card form-grid" submit={model.startScan}>
      <h2>{t('startScan')}</h2>
      <ScanScope urls={request.urls} pages={request.pages} pagesField="pages" problem={request.problem.value} urlsHelp="startUrlsHelp" />
      <FormProblem problem={request.problem.value} fields={START_FIELDS} />
      <div class="actions">
        <button type="submit">{t('startScanButton')}</button>
      </div>
    </ActionForm>
  );
}

function ScheduleForm({ model, nextAt }: { model: ScansModel; nextAt: string | null }) {
  const { plan } = model;
  return (
    <ActionForm label={t('scanSchedule')} layout="card form-grid" submit={model.saveSchedule}>
      <h2>{t('scanSchedule')}</h2>
      <Choice label={t('scheduleKind')} value={plan.schedule} options={SCAN_SCHEDULES} text={(kind) => t(`schedule_${kind}`)} />
      <ScanScope urls={plan.urls} pages={plan.pages} pagesField="pageLimit" problem={plan.problem.value} urlsHelp="scheduleUrlsHelp" />
      <FormProblem problem={plan.problem.value} fields={SCHEDULE_FIELDS} />
      <p class="note" data-next-scan>
        {nextAt ? t('nextScanAt', { time: formatDateTime(nextAt) }) : t('noScheduledScans')}
      </p>
      <SaveRow label={t('saveSchedule')} saved={plan.saved.value} />
    </ActionForm>
  );
}

function StatusBadge({ status }: { status: Scan['status'] }) {
  return (
    <span class="badge scan-status" data-status={status}>
      {t(`scanStatus_${status}`)}
    </span>
  );
}

/** "+2 / −1" against the previous scan; nothing to compare for a site's first. */
function changes(counts: Scan['counts']): string {
  if (counts?.added == null || counts.resolved == null) return '–';
  return `+${formatNumber(counts.added)} / −${formatNumber(counts.resolved)}`;
}

function History({ model, scans }: { model: ScansModel; scans: readonly Scan[] }) {
  return (
    <Table<Scan>
      label={t('scanHistory')}
      rows={scans}
      rowKey={(scan) => scan.id}
      empty={t('noScans')}
      rowAction={{ column: 'createdAt', label: (scan) => t('openScanNamed', { time: formatDateTime(scan.createdAt) }), run: (scan) => model.openScan(scan.id) }}
      columns={[
        { key: 'createdAt', label: t('time'), value: (scan) => scan.createdAt, render: (scan) => formatDateTime(scan.createdAt) },
        { key: 'trigger', label: t('trigger'), value: (scan) => scan.trigger, render: (scan) => t(`trigger_${scan.trigger}`) },
        { key: 'startedBy', label: t('who'), value: (scan) => scan.startedBy },
        { key: 'status', label: t('status'), value: (scan) => scan.status, render: (scan) => <StatusBadge status={scan.status} /> },
        {
          key: 'pages',
          label: t('pages'),
          value: (scan) => scan.pagesScanned,
          render: (scan) => t('pagesOf', { visited: formatNumber(scan.pagesScanned), limit: formatNumber(scan.pageLimit) }),
          numeric: true,
        },
        ...FINDING_TYPES.map((type) => ({
          key: type,
          label: t(`findings_${type}`),
          value: (scan: Scan) => scan.counts?.[type] ?? null,
          render: (scan: Scan) => formatNumber(scan.counts?.[type]),
          numeric: true,
        })),
        { key: 'changes', label: t('changes'), render: (scan) => changes(scan.counts), numeric: true },
      ]}
    />
  );
}

function Names({ names, more = 0 }: { names: readonly string[]; more?: number }) {
  if (names.length === 0) return <>–</>;
  return (
    <ul class="names">
      {names.map((name) => (
        <li key={name}>
          <code>{name}</code>
        </li>
      ))}
      {more > 0 && <li>{t('morePages', { count: formatNumber(more) })}</li>}
    </ul>
  );
}

function findingFacts(finding: ScanFinding): Fact[] {
  const facts: Array<readonly [string, ComponentChildren]> = [];
  switch (finding.type) {
    case 'violation':
      facts.push([t('visit'), t(`scanVisit_${finding.visit}`)], [t('category'), categoryText(finding.category)]);
      facts.push([t('causes'), finding.causes.length > 0 ? <Names names={finding.causes} /> : t('unknownCause')]);
      break;
    case 'undeclared':
      facts.push([t('party'), t(`party_${finding.party}`)], [t('seenIn'), finding.seenIn.map((visit) => t(`scanVisit_${visit}`)).join(', ')]);
      break;
    case 'expiry_mismatch':
      facts.push(
        [t('declaredRetention'), finding.declared],
        [t('observedLifetime'), t('lifetimeDays', { days: formatNumber(finding.observedSeconds / DAY_SECONDS) })],
      );
      break;
    case 'declared_not_seen':
      facts.push([t('status'), t('notSeen')]);
      break;
  }
  if (finding.pages.length > 0) facts.push([t('pages'), <Names names={finding.pages.slice(0, PAGES_SHOWN)} more={finding.pages.length - PAGES_SHOWN} />]);
  return facts;
}

function Suggestion({ suggestion }: { suggestion: NonNullable<UndeclaredFinding['suggestion']> }) {
  const facts: Array<readonly [string, ComponentChildren]> = [
    [t('platform'), suggestion.prefix ? `${suggestion.platform} (${t('suggestionPrefix', { name: suggestion.name })})` : suggestion.platform],
    [t('provider'), suggestion.provider],
    [t('category'), `${categoryText(suggestion.category)} (${suggestion.databaseCategory})`],
    [t('purpose'), suggestion.purpose],
    [t('retention'), suggestion.retention],
  ];
  if (suggestion.privacyLink) {
    facts.push([
      t('privacyLink'),
      <a href={suggestion.privacyLink} target="_blank" rel="noopener noreferrer">
        {suggestion.privacyLink}
      </a>,
    ]);
  }
  return (
    <div class="suggestion" data-suggestion>
      <p>
        <span class="badge suggested">{t('suggestion')}</span> {t('suggestionFrom')}
      </p>
      <Facts facts={facts} class="facts" />
    </div>
  );
}

/** "Formål (nb)" for `purpose.nb`: each field's label is the text of its name. */
function itemFieldLabel(field: ItemTextField): string {
  const [key, language] = field.split('.') as ['name' | 'provider' | 'domain' | 'purpose' | 'retention' | 'blocking', string | undefined];
  return language ? `${t(key)} (${language})` : t(key);
}

const LONG_TEXTS: readonly ItemTextField[] = ['purpose.nb', 'purpose.en', 'blocking.nb', 'blocking.en'];

/** The proposed inventory item, in the inventory form's order, for the admin to confirm or correct and save. */
function ProposalForm({ model, proposal }: { model: ScansModel; proposal: Proposal }) {
  const problem = model.proposalProblem.value;
  const text = (field: ItemTextField) => (
    <Field key={field} label={itemFieldLabel(field)} value={proposal.texts[field]} problem={problem} field={field} optional={field === 'domain'}>
      {(control) => (LONG_TEXTS.includes(field) ? <textarea rows={3} {...control} /> : <input type="text" {...control} />)}
    </Field>
  );
  return (
    <ActionForm label={t('addToInventoryNamed', { name: proposal.name })} layout="form-grid proposal" submit={model.addProposal}>
      <Choice label={t('kind')} value={proposal.kind} options={INVENTORY_KINDS} text={(kind) => t(`kind_${kind}`)} />
      {text('name')}
      <label class="checkbox">
        <input type="checkbox" checked={proposal.namePattern.value} onChange={(event) => (proposal.namePattern.value = (event.target as HTMLInputElement).checked)} />
        {t('namePattern')}
      </label>
      {text('provider')}
      <Choice label={t('party')} value={proposal.party} options={PARTIES} text={(party) => t(`party_${party}`)} />
      {text('domain')}
      <Choice label={t('category')} value={proposal.category} options={CATEGORIES} text={categoryText} />
      {ITEM_TEXT_FIELDS.filter((field) => field.includes('.')).map(text)}
      <FormProblem problem={problem} fields={ITEM_TEXT_FIELDS} />
      <div class="actions">
        <button type="submit">{t('addToInventory')}</button>
        <button type="button" class="secondary" onClick={() => model.propose(null)}>
          {t('cancel')}
        </button>
      </div>
    </ActionForm>
  );
}

function Undeclared({ model, finding }: { model: ScansModel; finding: UndeclaredFinding }) {
  const proposal = model.proposal.value;
  let action: ComponentChildren;
  if (model.inInventory.value(finding)) {
    action = (
      <p class="copied" role="status" data-added>
        ✓ {t('addedToInventory')}
      </p>
    );
  } else if (proposal?.key === finding.key) {
    action = <ProposalForm model={model} proposal={proposal} />;
  } else {
    action = (
      <button type="button" class="secondary" aria-label={t('addToInventoryNamed', { name: finding.name })} onClick={() => model.propose(finding)}>
        {t('addToInventory')}
      </button>
    );
  }
  return (
    <>
      {finding.suggestion ? <Suggestion suggestion={finding.suggestion} /> : <p class="note">{t('noSuggestion')}</p>}
      {action}
    </>
  );
}

function FindingHead({ finding, isNew = false }: { finding: ScanFinding; isNew?: boolean }) {
  return (
    <div class="finding-head">
      <code class="finding-name">{finding.name}</code>
      <span class="badge">{t(`kind_${finding.kind}`)}</span>
      {finding.domain && <span class="muted">{finding.domain}</span>}
      {isNew && <span class="badge new">{t('newFinding')}</span>}
    </div>
  );
}

function Finding({ model, finding, isNew }: { model: ScansModel; finding: ScanFinding; isNew: boolean }) {
  return (
    <li class="finding" data-finding={finding.key}>
      <FindingHead finding={finding} isNew={isNew} />
      <Facts facts={findingFacts(finding)} class="facts" />
      {finding.type === 'undeclared' && <Undeclared model={model} finding={finding} />}
    </li>
  );
}

function ByItem({ model, result }: { model: ScansModel; result: ScanResult }) {
  const added = new Set(result.added ?? []);
  const groups = FINDING_TYPES.map((type) => [type, result.findings.filter((finding) => finding.type === type)] as const).filter(([, findings]) => findings.length > 0);
  return (
    <>
      {groups.length === 0 && <p class="empty">{t('noFindings')}</p>}
      {groups.map(([type, findings]) => (
        <section key={type} data-findings={type}>
          <h3>
            {t(`findings_${type}`)} ({formatNumber(findings.length)})
          </h3>
          <ul class="findings">
            {findings.map((finding) => (
              <Finding key={finding.key} model={model} finding={finding} isNew={added.has(finding.key)} />
            ))}
          </ul>
        </section>
      ))}
      {result.resolved && result.resolved.length > 0 && (
        <section data-findings="resolved">
          <h3>
            {t('resolvedFindings')} ({formatNumber(result.resolved.length)})
          </h3>
          <ul class="findings">
            {result.resolved.map((finding) => (
              <li key={finding.key} class="finding" data-finding={finding.key}>
                <span class="badge">{t(`findings_${finding.type}`)}</span>
                <FindingHead finding={finding} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function ScannedPage({ page }: { page: PageSummary }) {
  const status = page.status === null ? t('noAnswer') : String(page.status);
  return (
    <section class="scanned-page" data-page={page.url}>
      <h3>
        <code>{page.url}</code>
      </h3>
      <p class="note">
        {t('httpStatus')}: {status} · {t('bannerShown')}: {page.banner ? t('yes') : t('no')}
        {page.finalUrl !== page.url && <> · {t('endedAt', { url: page.finalUrl })}</>}
      </p>
      <Table<PageVisit>
        label={t('visitsOf', { url: page.url })}
        rows={page.visits}
        rowKey={(visit) => visit.visit}
        empty="–"
        columns={[
          { key: 'visit', label: t('visit'), render: (visit) => t(`scanVisit_${visit.visit}`) },
          { key: 'cookies', label: t('cookies'), render: (visit) => <Names names={visit.cookies} /> },
          { key: 'storage', label: t('storage'), render: (visit) => <Names names={visit.storage} /> },
          { key: 'requests', label: t('thirdPartyRequests'), render: (visit) => <Names names={visit.requests} /> },
        ]}
      />
    </section>
  );
}

function ByPage({ result }: { result: ScanResult }) {
  return (
    <>
      {result.pages.map((page) => (
        <ScannedPage key={page.url} page={page} />
      ))}
      {result.skipped.length > 0 && (
        <section>
          <h3>{t('skippedPages')}</h3>
          <Table<SkippedPage>
            label={t('skippedPages')}
            rows={result.skipped}
            rowKey={(page) => page.url}
            empty="–"
            columns={[
              { key: 'url', label: t('pageUrl'), value: (page) => page.url, render: (page) => <code>{page.url}</code> },
              { key: 'reason', label: t('reason'), value: (page) => page.reason, render: (page) => (page.message ? `${t(`skipped_${page.reason}`)}: ${page.message}` : t(`skipped_${page.reason}`)) },
            ]}
          />
        </section>
      )}
      <p class="note">{t('externalLinks', { count: formatNumber(result.externalLinks) })}</p>
    </>
  );
}

function Summary({ counts, result }: { counts: NonNullable<Scan['counts']>; result: ScanResult }) {
  return (
    <>
      <div class="kpis">
        {FINDING_TYPES.map((type) => (
          <div key={type} class="kpi" data-count={type}>
            <span class="kpi-label">{t(`findings_${type}`)}</span>
            <span class="kpi-value">{formatNumber(counts[type])}</span>
          </div>
        ))}
      </div>
      <p data-changes>
        {counts.added == null || counts.resolved == null
          ? t('firstScan')
          : t('sinceLast', { added: formatNumber(counts.added), resolved: formatNumber(counts.resolved) })}{' '}
        {t('scannedPages', { pages: formatNumber(result.pages.length), skipped: formatNumber(result.skipped.length) })}
      </p>
      {result.suggestionsUnavailable && <p class="warning">{t('suggestionsUnavailable', { reason: result.suggestionsUnavailable })}</p>}
    </>
  );
}

function Results({ model, scan, result }: { model: ScansModel; scan: ScanView; result: ScanResult }) {
  return (
    <>
      {scan.counts && <Summary counts={scan.counts} result={result} />}
      <div class="tabs" role="tablist" aria-label={t('resultsView')}>
        {VIEWS.map((view) => (
          <button key={view} type="button" role="tab" aria-selected={model.view.value === view} onClick={() => (model.view.value = view)}>
            {t(`view_${view}`)}
          </button>
        ))}
      </div>
      {model.view.value === 'items' ? <ByItem model={model} result={result} /> : <ByPage result={result} />}
    </>
  );
}

function Progress({ scan }: { scan: ScanView }) {
  const running = scan.status === 'running';
  return (
    <div class="scan-progress">
      <p role="status">{running ? t('scanRunning', { visited: formatNumber(scan.pagesScanned), limit: formatNumber(scan.pageLimit) }) : t('scanQueued')}</p>
      {/* Without a value while queued: nothing to measure yet. */}
      <progress aria-label={t('pagesVisited')} max={scan.pageLimit} value={running ? scan.pagesScanned : undefined} />
      {scan.currentPage && (
        <p>
          {t('visiting')}: <code>{scan.currentPage}</code>
        </p>
      )}
    </div>
  );
}

function OpenScan({ model, scan }: { model: ScansModel; scan: ScanView }) {
  return (
    <section class="card scan" aria-labelledby="open-scan-title" data-scan={scan.id} data-status={scan.status}>
      <div class="card-head">
        <h2 id="open-scan-title">{t('scanOf', { time: formatDateTime(scan.createdAt) })}</h2>
        <StatusBadge status={scan.status} />
      </div>
      <p class="note">{t('scanScope', { urls: scan.startUrls.join(', '), limit: formatNumber(scan.pageLimit) })}</p>
      {(scan.status === 'queued' || scan.status === 'running') && <Progress scan={scan} />}
      {scan.status === 'failed' && <ErrorNote message={t('scanFailed', { error: scan.error ?? '' })} />}
      {scan.result && <Results model={model} scan={scan} result={scan.result} />}
    </section>
  );
}

export function ScansPage() {
  const model = useMemo(createScansModel, []);
  useEffect(() => model.start(), [model]);
  const scan = model.shown.value;
  return (
    <div class="page">
      <div class="toolbar">
        <SitePicker />
      </div>
      <Loaded loader={model.schedule}>
        {(schedule) => (
          <div class="panels wide">
            <StartScan model={model} />
            <ScheduleForm model={model} nextAt={schedule.nextAt} />
          </div>
        )}
      </Loaded>
      <section class="card" aria-labelledby="scan-history-title">
        <h2 id="scan-history-title">{t('scanHistory')}</h2>
        <Loaded loader={model.history}>{(scans) => <History model={model} scans={scans} />}</Loaded>
      </section>
      {model.openId.value !== null &&
        (model.open.error.value ? (
          <ErrorNote message={model.open.error.value} onRetry={() => void model.open.load()} />
        ) : scan ? (
          <OpenScan model={model} scan={scan} />
        ) : (
          <Loading />
        ))}
    </div>
  );
}
