/**
 * The widget benchmark (issue 3): Samtykke's banner against vanilla-cookieconsent configured with the same three
 * categories and the same texts, in one headless Chromium in one run. Both pages are served from memory through
 * the browser's request interception, so the network is the same for both: what differs is the code.
 * Figures: gzip bytes of everything the banner page loads (ours as served, in the default configuration and with
 * every feature a site can switch on), the median time from navigation start to the banner being visible, and the
 * median main-thread script time until then (CDP Performance.getMetrics ScriptDuration).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createDb } from '../server/db/create.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { DEMO_POLICY_TEXTS } from '../server/demo/content.ts';
import { seedDemo } from '../server/demo/seed.ts';
import { DEFAULT_LABELS } from '../server/domain/banner.ts';
import type { SiteFeatures } from '../server/domain/sites.ts';
import { createDeps, drainDeps } from '../server/services.ts';
import { CHROMIUM_PATH, DESKTOP_USER_AGENT } from '../test/helpers/browser.ts';
import { buildWidget } from '../widget/build.ts';
import { progressLog } from './lib/progress.ts';
import type { Figure, ScenarioReport } from './lib/report.ts';
import { positiveInteger, type OptionValues, type Scenario } from './lib/scenario.ts';

const ORIGIN = 'http://portal.bench.test';
const SITE = 'min-bedrift';
const BUDGET_GZIP_BYTES = 5 * 1024;
const nodeModules = createRequire(import.meta.url);

/** A new site's features: every one off. */
const DEFAULT_FEATURES: SiteFeatures = { consentMode: false, declarationEmbed: false, engagement: false, outboundLinks: false, fileDownloads: false, notFoundPages: false, appHandoff: false };
/** Every engagement signal of the tracker on, Consent Mode off. */
const ALL_TRACKER_FEATURES: SiteFeatures = { ...DEFAULT_FEATURES, engagement: true, outboundLinks: true, fileDownloads: true, notFoundPages: true };
const LARGEST: SiteFeatures = { ...ALL_TRACKER_FEATURES, consentMode: true, declarationEmbed: true };

interface Contender {
  readonly name: string;
  /** Path → [content type, body] for everything the page loads. */
  readonly files: Record<string, readonly [string, string]>;
  /** Runs in the page: whether the banner is on screen now. */
  readonly visible: string;
}

interface SamtykkeContender extends Contender {
  /** Bytes of the script as the server sends it gzipped: the default configuration, every tracker signal on, and every feature on. */
  readonly servedGzip: { readonly default: number; readonly tracker: number; readonly largest: number };
}

function page(head: string): string {
  return `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Portal</title>${head}</head>
    <body><main><h1>Min Bedrift</h1><p>Fakturaer, abonnementer og tilleggstjenester.</p></main></body></html>`;
}

async function samtykkeContender(): Promise<SamtykkeContender> {
  await buildWidget();
  const config = { ...loadConfig({ SAMTYKKE_PUBLIC_URL: ORIGIN, SAMTYKKE_DATA_DIR: ':memory:' }), database: { engine: 'pglite', dataDir: null } as const };
  const db = await createDb(config.database);
  try {
    await migrateToLatest(db);
    await seedDemo(db, ORIGIN);
    const deps = await createDeps(config, db);
    const app = createApp(deps);
    const site = (await deps.sites.find(SITE))!;
    // As a Norwegian browser asks for it: the script then carries the texts of the page's own language.
    const serve = async (features: SiteFeatures, headers: Record<string, string> = {}) => {
      await deps.sites.update(site, { features });
      const response = await app.request(`/sites/${SITE}/widget.js`, { headers: { 'Accept-Language': 'nb-NO,nb;q=0.9', ...headers } });
      if (!response.ok) throw new Error(`GET /sites/${SITE}/widget.js answered ${response.status}: ${await response.text()}`);
      return response;
    };
    const gzipped = { 'Accept-Encoding': 'gzip' };
    const servedGzip = {
      largest: (await (await serve(LARGEST, gzipped)).arrayBuffer()).byteLength,
      tracker: (await (await serve(ALL_TRACKER_FEATURES, gzipped)).arrayBuffer()).byteLength,
      default: (await (await serve(DEFAULT_FEATURES, gzipped)).arrayBuffer()).byteLength,
    };
    // Timed in the default configuration, as most sites run it.
    const script = await (await serve(DEFAULT_FEATURES)).text();
    await drainDeps(deps);
    return {
      name: 'samtykke',
      servedGzip,
      files: {
        '/': ['text/html', page(`<script src="/sites/${SITE}/widget.js" defer></script>`)],
        [`/sites/${SITE}/widget.js`]: ['text/javascript', script],
      },
      visible: `(() => { const n = document.querySelector('samtykke-consent')?.shadowRoot?.querySelector('[role=dialog]');
        return !!n && !n.hidden && n.getBoundingClientRect().height > 0; })()`,
    };
  } finally {
    await db.destroy();
  }
}

/** vanilla-cookieconsent 3 with the demo's three categories, texts and labels in all three languages, as a portal would set it up. */
async function cookieConsentContender(): Promise<Contender> {
  const translation = (locale: 'nb' | 'nn' | 'en') => {
    const texts = DEMO_POLICY_TEXTS[locale] ?? DEMO_POLICY_TEXTS.nb;
    const labels = DEFAULT_LABELS[locale];
    return {
      consentModal: {
        title: texts.title,
        description: texts.body,
        acceptAllBtn: labels.acceptAll,
        acceptNecessaryBtn: labels.rejectAll,
        showPreferencesBtn: labels.choose,
      },
      preferencesModal: {
        title: labels.settings,
        acceptAllBtn: labels.acceptAll,
        acceptNecessaryBtn: labels.rejectAll,
        savePreferencesBtn: labels.save,
        sections: (['functional', 'analytics', 'ads'] as const).map((category) => ({
          title: texts.categories[category].title,
          description: texts.categories[category].description,
          linkedCategory: category,
        })),
      },
    };
  };
  const settings = {
    // Playwright's Chromium reports navigator.webdriver; cookieconsent would otherwise hide from it as from a bot.
    hideFromBots: false,
    categories: { functional: { enabled: true, readOnly: true }, analytics: {}, ads: {} },
    language: { default: 'nb', autoDetect: 'document', translations: { nb: translation('nb'), nn: translation('nn'), en: translation('en') } },
  };
  const dist = (file: string) => readFile(nodeModules.resolve(`vanilla-cookieconsent/dist/${file}`), 'utf8');
  return {
    name: 'vanilla-cookieconsent',
    files: {
      '/': [
        'text/html',
        page(
          '<link rel="stylesheet" href="/cc/cookieconsent.css"><script src="/cc/cookieconsent.umd.js" defer></script><script src="/cc/config.js" defer></script>',
        ),
      ],
      '/cc/cookieconsent.css': ['text/css', await dist('cookieconsent.css')],
      '/cc/cookieconsent.umd.js': ['text/javascript', await dist('cookieconsent.umd.js')],
      '/cc/config.js': ['text/javascript', `CookieConsent.run(${JSON.stringify(settings)});`],
    },
    visible: `(() => { const n = document.querySelector('#cc-main .cm');
      return !!n && document.documentElement.classList.contains('show--consent') && n.getBoundingClientRect().height > 0; })()`,
  };
}

function gzipBytes(contender: Contender): number {
  return Object.entries(contender.files)
    .filter(([path]) => path !== '/')
    .reduce((sum, [, [, body]]) => sum + gzipSync(body, { level: 9 }).length, 0);
}

/**
 * The same page with no consent banner: its script time (Playwright's own injected scripts, the watcher) is
 * subtracted from both, so the script figures are what each widget itself costs.
 */
const BASELINE: Contender = { name: 'no banner', files: { '/': ['text/html', page('')] }, visible: 'document.readyState === "complete"' };

/** One cold page view in a fresh context: ms from navigation start to banner visible, and main-thread script ms. */
async function measure(browser: Browser, contender: Contender): Promise<{ visibleMs: number; scriptMs: number }> {
  const context = await browser.newContext({ userAgent: DESKTOP_USER_AGENT, locale: 'nb-NO' });
  try {
    await context.route(`${ORIGIN}/**`, (route) => {
      const file = contender.files[new URL(route.request().url()).pathname];
      return file ? route.fulfill({ status: 200, contentType: file[0], body: file[1] }) : route.fulfill({ status: 204 });
    });
    // The same watcher on every page, with no polling: a mutation observer (and the load event) checks on each change.
    await context.addInitScript(`(() => {
      let seen;
      window.bannerVisible = new Promise((resolve) => (seen = resolve));
      const observer = new MutationObserver(check);
      function check() {
        if (${contender.visible}) {
          observer.disconnect();
          seen(performance.now());
        }
      }
      observer.observe(document, { childList: true, subtree: true, attributes: true });
      addEventListener('load', check);
    })()`);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${ORIGIN}/`);
    const visibleMs = (await page.evaluate('window.bannerVisible')) as number;
    const { metrics } = await cdp.send('Performance.getMetrics');
    const scriptSeconds = metrics.find((metric) => metric.name === 'ScriptDuration')?.value;
    if (scriptSeconds === undefined) throw new Error('Chromium reported no ScriptDuration metric');
    return { visibleMs, scriptMs: scriptSeconds * 1000 };
  } finally {
    await context.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function run(values: OptionValues): Promise<ScenarioReport> {
  const runs = positiveInteger(values, 'runs', 25);
  const log = progressLog('widget');
  const [samtykke, cookieConsent] = await Promise.all([samtykkeContender(), cookieConsentContender()]);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const results = new Map<Contender, Array<{ visibleMs: number; scriptMs: number }>>([
    [BASELINE, []],
    [samtykke, []],
    [cookieConsent, []],
  ]);
  try {
    // One warm-up each (browser caches, JIT of Chromium itself), then alternate so drift hits both alike.
    for (const contender of results.keys()) await measure(browser, contender);
    for (let round = 0; round < runs; round++) {
      for (const [contender, samples] of results) samples.push(await measure(browser, contender));
    }
    log(`${runs} cold page views each measured`);
  } finally {
    await browser.close();
  }

  const baselineScript = median(results.get(BASELINE)!.map((sample) => sample.scriptMs));
  const figuresOf = (contender: Contender) => ({
    visible: median(results.get(contender)!.map((sample) => sample.visibleMs)),
    script: median(results.get(contender)!.map((sample) => sample.scriptMs)) - baselineScript,
  });
  const ours = figuresOf(samtykke);
  const theirs = figuresOf(cookieConsent);
  const theirGzip = gzipBytes(cookieConsent);
  const figures: Figure[] = [
    {
      key: 'samtykke.gzip_bytes',
      label: 'Samtykke: gzip bytes as served, default configuration (script, themed styles, in the page locale, nb)',
      value: samtykke.servedGzip.default,
      unit: 'B',
      ratio: samtykke.servedGzip.default / theirGzip,
      target: { kind: 'max', value: BUDGET_GZIP_BYTES, of: 'value' },
    },
    {
      key: 'samtykke.gzip_bytes_tracker',
      label: 'Samtykke: gzip bytes as served, every tracker signal on (engaged time and scroll, outbound links, downloads, 404), no Consent Mode',
      value: samtykke.servedGzip.tracker,
      unit: 'B',
      ratio: samtykke.servedGzip.tracker / theirGzip,
      target: { kind: 'max', value: BUDGET_GZIP_BYTES, of: 'value' },
    },
    {
      key: 'samtykke.gzip_bytes_largest',
      label: 'Samtykke: gzip bytes as served, every feature on (Consent Mode and every tracker signal; the declaration embed is its own script)',
      value: samtykke.servedGzip.largest,
      unit: 'B',
      ratio: samtykke.servedGzip.largest / theirGzip,
      target: { kind: 'max', value: BUDGET_GZIP_BYTES, of: 'value' },
    },
    { key: 'cookieconsent.gzip_bytes', label: 'vanilla-cookieconsent: gzip bytes (js, css, config)', value: theirGzip, unit: 'B' },
    { key: 'samtykke.banner_visible_ms', label: 'Samtykke: navigation start → banner visible, median', value: ours.visible, unit: 'ms', ratio: ours.visible / theirs.visible },
    { key: 'cookieconsent.banner_visible_ms', label: 'vanilla-cookieconsent: navigation start → banner visible, median', value: theirs.visible, unit: 'ms' },
    { key: 'samtykke.script_ms', label: 'Samtykke: main-thread script time, median, net', value: ours.script, unit: 'ms', ratio: ours.script / theirs.script },
    { key: 'cookieconsent.script_ms', label: 'vanilla-cookieconsent: main-thread script time, median, net', value: theirs.script, unit: 'ms' },
    { key: 'baseline.script_ms', label: 'the same page without a banner: script time, median (subtracted)', value: baselineScript, unit: 'ms' },
  ];
  return {
    settings: { runs, chromium: CHROMIUM_PATH },
    figures,
    notes: [
      '"× floor" here is the ratio to vanilla-cookieconsent 3 measured in the same run (below 1 is better).',
      'Each sample is a cold page view in a fresh browser context; the pages are served from memory by request interception.',
      'Script time is CDP Performance.getMetrics ScriptDuration when the banner shows, less that of the page without a banner.',
    ],
  };
}

export const widgetScenario: Scenario = {
  summary: 'the consent widget against vanilla-cookieconsent in headless Chromium: gzip size, time to banner, script time',
  help: ['--runs N        cold page views per widget (default 25)'],
  options: { runs: { type: 'string' } },
  run,
};
