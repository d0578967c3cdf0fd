/**
 * A site's cookie scans: the history, the open scan (followed while it waits or runs), starting one, the schedule,
 * and an undeclared finding's proposed item confirmed into the inventory.
 */
import { computed, effect, signal, type Signal } from '@preact/signals';
import { api, type ItemInput, type Scan, type ScanFinding } from '../api.ts';
import type { Category } from '../../server/domain/consent.ts';
import { inventoryNameMatches, type InventoryKind, type Party } from '../../server/domain/inventory.ts';
import { SCAN_PAGE_LIMIT, type ScanScheduleKind } from '../../server/domain/scan.ts';
import { attemptForm, createLoader, type Problem } from './loader.ts';
import { currentSiteId } from './session.ts';
import { originLines } from './sites.ts';

/** A queued scan is picked up within seconds, and a running one visits a page every second or two. */
const FOLLOW_EVERY_MS = 1_000;

export type ResultsView = 'items' | 'pages';
export type UndeclaredFinding = Extract<ScanFinding, { type: 'undeclared' }>;

/** An inventory item's text fields, named as the server names them in a problem, so each shows its own. */
export const ITEM_TEXT_FIELDS = ['name', 'provider', 'domain', 'purpose.nb', 'purpose.en', 'retention.nb', 'retention.en', 'blocking.nb', 'blocking.en'] as const;
export type ItemTextField = (typeof ITEM_TEXT_FIELDS)[number];

function itemTexts(item: ItemInput): Record<ItemTextField, string> {
  return {
    name: item.name,
    provider: item.provider,
    domain: item.domain ?? '',
    'purpose.nb': item.purpose.nb,
    'purpose.en': item.purpose.en,
    'retention.nb': item.retention.nb,
    'retention.en': item.retention.en,
    'blocking.nb': item.blocking.nb,
    'blocking.en': item.blocking.en,
  };
}

/** The item a finding proposes, in the form for a person to confirm or correct. */
function proposalOf(finding: UndeclaredFinding) {
  const proposed = finding.proposed;
  const texts = itemTexts(proposed);
  return {
    key: finding.key,
    name: finding.name,
    proposed,
    kind: signal<InventoryKind>(proposed.kind),
    namePattern: signal(proposed.namePattern),
    party: signal<Party>(proposed.party),
    category: signal<Category>(proposed.category),
    texts: Object.fromEntries(ITEM_TEXT_FIELDS.map((field) => [field, signal(texts[field])])) as Record<ItemTextField, Signal<string>>,
  };
}

export type Proposal = ReturnType<typeof proposalOf>;

/** The item as confirmed; a Nynorsk text the form does not show is kept as proposed. */
function confirmedItem(proposal: Proposal): ItemInput {
  const text = (field: ItemTextField) => proposal.texts[field].value;
  const localized = (key: 'purpose' | 'retention' | 'blocking') => ({ ...proposal.proposed[key], nb: text(`${key}.nb`), en: text(`${key}.en`) });
  return {
    kind: proposal.kind.value,
    name: text('name'),
    namePattern: proposal.namePattern.value,
    provider: text('provider'),
    party: proposal.party.value,
    domain: text('domain').trim() || null,
    category: proposal.category.value,
    purpose: localized('purpose'),
    retention: localized('retention'),
    blocking: localized('blocking'),
  };
}

const pending = (scan: Scan | null) => scan?.status === 'queued' || scan?.status === 'running';

export function createScansModel() {
  // Peeked: the start effect reloads when another site is picked, not when the site list is reloaded.
  const siteOf = () => currentSiteId.peek()!;
  const history = createLoader(() => api.scans(siteOf()));
  const schedule = createLoader(() => api.scanSchedule(siteOf()));
  const inventory = createLoader(() => api.inventory(siteOf()));
  /** The scan whose progress or results are shown. */
  const openId = signal<number | null>(null);
  const open = createLoader(() => api.scan(siteOf(), openId.peek()!));
  const view = signal<ResultsView>('items');

  /** The start form: empty URLs start at the schedule's, else at the site's own origins. */
  const request = { urls: signal(''), pages: signal(String(SCAN_PAGE_LIMIT.default)), problem: signal<Problem | null>(null) };
  const plan = {
    schedule: signal<ScanScheduleKind>('off'),
    urls: signal(''),
    pages: signal(String(SCAN_PAGE_LIMIT.default)),
    problem: signal<Problem | null>(null),
    saved: signal(false),
  };

  const proposal = signal<Proposal | null>(null);
  const proposalProblem = signal<Problem | null>(null);
  /** Findings whose proposed item was saved from this page. */
  const addedKeys = signal<ReadonlySet<string>>(new Set());
  /**
   * Whether an undeclared finding is in the inventory now: added from here, or since declared by an active item of
   * its kind and name (so a second visit does not offer to add it twice).
   */
  const inInventory = computed(() => {
    const items = (inventory.data.value ?? []).filter((item) => item.retiredAt === null);
    const added = addedKeys.value;
    return (finding: UndeclaredFinding) => added.has(finding.key) || items.some((item) => item.kind === finding.kind && inventoryNameMatches(item, finding.name));
  });

  /** The schedule, and both forms filled in from it: the page shows them only with it, so nothing typed is overwritten. */
  async function loadSchedule(picked: number): Promise<void> {
    await schedule.load();
    const saved = schedule.data.peek();
    // A load for a site picked before the current one must not fill in the forms.
    if (!saved || picked !== currentSiteId.peek()) return;
    request.urls.value = saved.urls.join('\n');
    request.pages.value = String(saved.pageLimit);
    plan.schedule.value = saved.schedule;
    plan.urls.value = saved.urls.join('\n');
    plan.pages.value = String(saved.pageLimit);
  }

  /** The history, with its newest scan opened unless one was picked meanwhile. */
  async function loadHistory(picked: number): Promise<void> {
    await history.load();
    const newest = history.data.peek()?.[0];
    if (newest && picked === currentSiteId.peek() && openId.peek() === null) openScan(newest.id);
  }

  /** The open scan as loaded, once it is the one asked for (a load for the scan open before may still land). */
  const shown = computed(() => {
    const scan = open.data.value;
    return scan && scan.id === openId.value ? scan : null;
  });

  /** Loads the open scan, and again every second while it waits or runs; the history follows each change of status. */
  function follow(): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    async function look(): Promise<void> {
      const before = shown.peek()?.status;
      await open.load();
      if (stopped) return;
      const scan = shown.peek();
      if (before && scan && scan.status !== before) void history.load();
      if (pending(scan)) timer = setTimeout(() => void look(), FOLLOW_EVERY_MS);
    }
    void look();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  function openScan(scanId: number): void {
    if (openId.value === scanId) return;
    open.data.value = null;
    proposal.value = null;
    openId.value = scanId;
  }

  async function startScan(): Promise<void> {
    const site = currentSiteId.peek();
    if (site === null) return;
    const urls = originLines(request.urls.value);
    const started = await attemptForm(request.problem, async () =>
      openScan((await api.startScan(site, { urls: urls.length > 0 ? urls : undefined, pages: Number(request.pages.value) })).id),
    );
    if (started) await history.load();
  }

  async function saveSchedule(): Promise<void> {
    const site = currentSiteId.peek();
    if (site === null) return;
    plan.saved.value = false;
    const body = { schedule: plan.schedule.value, urls: originLines(plan.urls.value), pageLimit: Number(plan.pages.value) };
    plan.saved.value = await attemptForm(plan.problem, async () => (schedule.data.value = await api.saveScanSchedule(site, body)));
  }

  function propose(finding: UndeclaredFinding | null): void {
    proposalProblem.value = null;
    proposal.value = finding && proposalOf(finding);
  }

  async function addProposal(): Promise<void> {
    const site = currentSiteId.peek();
    const current = proposal.value;
    if (site === null || !current) return;
    if (await attemptForm(proposalProblem, () => api.addItem(site, confirmedItem(current)))) {
      addedKeys.value = new Set([...addedKeys.value, current.key]);
      proposal.value = null;
      await inventory.load();
    }
  }

  function start(): () => void {
    const stopSite = effect(() => {
      const site = currentSiteId.value;
      if (site === null) return;
      openId.value = null;
      open.data.value = null;
      proposal.value = null;
      addedKeys.value = new Set();
      request.problem.value = null;
      plan.problem.value = null;
      plan.saved.value = false;
      void loadSchedule(site);
      void loadHistory(site);
      void inventory.load();
    });
    const stopFollowing = effect(() => (openId.value === null ? undefined : follow()));
    return () => {
      stopFollowing();
      stopSite();
    };
  }

  return {
    history,
    schedule,
    open,
    shown,
    openId,
    view,
    request,
    plan,
    proposal,
    proposalProblem,
    inInventory,
    openScan,
    startScan,
    saveSchedule,
    propose,
    addProposal,
    start,
  };
}

export type ScansModel = ReturnType<typeof createScansModel>;
