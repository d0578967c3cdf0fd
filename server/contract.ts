/** The wire types of the public API: what the widget, the app and the dashboard send and receive. Types only. */
import type { BannerLabels } from './domain/banner.ts';
import type { Category, Choices, ConsentAction, ConsentSource, Locale, Localized, Surface } from './domain/consent.ts';
import type { SignalType } from './domain/events.ts';
import type { InventoryItem } from './domain/inventory.ts';
import type { CategoryText, PolicyTexts } from './domain/policy.ts';

export type { ErrorBody, ErrorCode } from './errors.ts';

/** POST /api/consent */
export interface ConsentRequest {
  readonly site: string;
  /** Random pseudonymous ID the browser or app keeps: 16 to 64 characters of [A-Za-z0-9_-]. */
  readonly consentId: string;
  readonly policyVersion: number;
  readonly choices: Choices;
  readonly action: ConsentAction;
  readonly source: ConsentSource;
  readonly locale: Locale;
  /** The page (on an app site, the screen) the decision was made on; the query string and fragment are dropped before storing. */
  readonly url?: string;
  /** The customer company (the controller) the user belongs to, when the portal knows it. */
  readonly account?: string;
  /**
   * The SHA-256 of the content the user was shown (WidgetTexts.shown). Without it the server records the content
   * it would show under that version and locale now: apps and servers that draw their own screens send none.
   */
  readonly shown?: string;
  /** The browser sent Global Privacy Control. */
  readonly gpc?: boolean;
}

/** 201 from POST /api/consent, sent only after the record is durably stored and chained. */
export interface StoredConsentReceipt {
  readonly id: number;
  readonly seq: number;
  readonly hash: string;
  readonly recordedAt: string;
  /** The decision was made under a version a material change has superseded: kept as evidence, it grants nothing. */
  readonly stale: boolean;
}

/**
 * 202 from POST /api/consent while the database does not answer: the decision is synced to the server's journal
 * and will be chained, with this time, once the database answers. It is recorded: clients need not send it again.
 */
export interface JournaledConsentReceipt {
  readonly journaled: true;
  readonly recordedAt: string;
  readonly stale: boolean;
}

export type ConsentReceipt = StoredConsentReceipt | JournaledConsentReceipt;

/** 201 from POST /api/handoff: what an app injects into a WebView so the page adopts its consent (server/handoff). */
export interface HandoffToken {
  /** Signed by the server; a page can read it but not make or alter one. */
  readonly token: string;
  readonly expiresAt: string;
}

/**
 * 200 from POST /api/handoff/verify: the consent ID's latest decision in the widget's own shape (StoredConsent in
 * widget/consent.ts), so the page adopts it as it comes; short keys, as the widget's bytes are counted.
 */
export interface HandedOffConsent {
  readonly id: string;
  readonly policyVersion: number;
  readonly choices: Choices;
  /** When the decision was recorded, in ms since the epoch. */
  readonly at: number;
}

/** 200 from POST /api/consent/latest: a consent ID's latest decision, as an app reads a change made on a page it opened. */
export interface LatestConsent {
  readonly consentId: string;
  readonly policyVersion: number;
  readonly choices: Choices;
  readonly decidedAt: string;
  /** False when the decision has lapsed (its lifetime passed, or a material policy change asks again): it grants nothing. */
  readonly current: boolean;
}

/**
 * Pageviews and custom events make the visits; the engagement signals are read by their own panels and never change
 * a visit's figures: `engagement` (engaged time and scroll depth on the page `url`), `outbound` and `download` (a
 * click on the link `link`), `notfound` (the page `url` answered 404; `referrer` is the page that linked to it).
 */
export type EventType = 'pageview' | 'custom' | SignalType;
export type EventProps = Record<string, string | number | boolean>;

export interface EventInput {
  readonly type: EventType;
  /** Required for custom events: what happened ("signup", "invoice_downloaded"). */
  readonly name?: string;
  /**
   * The full page URL; UTM parameters and click IDs are read from it and kept only with `ads` consent. On an app
   * site also an `app://` URL or a plain screen name (domain/page-address.ts), counted as its path.
   */
  readonly url: string;
  readonly referrer?: string;
  readonly props?: EventProps;
  /** `engagement`: milliseconds the page was visible and in use since the page's previous engagement event. */
  readonly engagedMs?: number;
  /** `engagement`: the largest share of the page seen so far, in percent (0–100). */
  readonly scroll?: number;
  /** `outbound` and `download`: the link's URL (its query string and fragment are never stored). */
  readonly link?: string;
  /**
   * When it happened by the client's clock, in milliseconds since 1970-01-01 UTC: set by clients that queue events
   * (the widget's batches, an app's offline queue). Corrected by the batch's `sentAt`; without it the event is
   * stored at the time the server received it.
   */
  readonly time?: number;
}

/** POST /api/events */
export interface EventsRequest {
  readonly site: string;
  readonly consentId: string;
  /** A visit identifier the client keeps for the browser session; derived on the server when absent. */
  readonly sessionId?: string;
  /**
   * When the batch was sent by the same clock as the events' `time`, in milliseconds since 1970-01-01 UTC. The
   * server's receive time minus this is the client clock's error, added to every event's `time`.
   */
  readonly sentAt?: number;
  readonly events: readonly EventInput[];
}

/** 202 from POST /api/events. Bot traffic is answered too, with nothing counted and the reason said. */
export interface EventsReceipt {
  readonly accepted: number;
  /**
   * Accepted events whose corrected `time` was in the future, older than the server's window or not a time at all:
   * stored at the receive time instead. Absent when there were none.
   */
  readonly clamped?: number;
  /** Taken and not stored: a bot's events (all of them), or signals the site has switched off (dashboard: Banner). */
  readonly ignored?: { readonly count: number; readonly reason: 'bot' | 'signal_off' };
  /** The database did not answer: the events are synced to the server's journal and will be stored from it. */
  readonly journaled?: true;
}

/** An item of the public declaration: one cookie, storage key, pixel, beacon, script or iframe. */
export type DeclaredItem = Omit<InventoryItem, 'id' | 'category' | 'retiredAt'>;

/** GET /api/sites/:key/declaration */
export interface Declaration {
  readonly site: { readonly key: string; readonly name: string; readonly surface: Surface };
  readonly policyVersion: number;
  readonly publishedAt: string;
  readonly categories: ReadonlyArray<{
    readonly category: Category;
    readonly required: boolean;
    readonly texts: Localized<CategoryText>;
    readonly items: readonly DeclaredItem[];
  }>;
}

/** One locale of the banner as the widget shows it. */
export interface WidgetTexts extends PolicyTexts {
  /**
   * The GPC notice only travels to browsers that send `Sec-GPC: 1`, the only ones that show it; the hash covers it
   * either way, because every browser's page holds the same content.
   */
  readonly labels: Omit<BannerLabels, 'gpc'> & { readonly gpc?: string };
  /** SHA-256 of this content with the inventory as declared (domain/shown-content.ts): sent with the decision. */
  readonly shown: string;
}

/** What the widget needs to show the banner with no further round trip: inlined into the served script. */
export interface WidgetSiteConfig {
  readonly site: string;
  /** The version in force: decisions are made under it. */
  readonly policyVersion: number;
  /** The latest material version: a stored choice made under an earlier one is asked again. */
  readonly askedSince: number;
  readonly functionalRequired: boolean;
  readonly consentLifetimeMonths: number;
  /** The locales the policy is written in: nb and en always, nn where the admin wrote it. */
  readonly locales: readonly Locale[];
  /**
   * The texts of one locale only, the one the page most likely shows (the script URL's `lang`, else the browser's
   * Accept-Language). A page in another locale fetches its texts from GET /sites/:key/texts.json?lang= before it
   * shows the banner; a page that shows no banner needs none.
   */
  readonly texts: { readonly [L in Locale]?: WidgetTexts };
  /** The banner's stylesheet for the site's theme and position (widget/styles.ts). */
  readonly css: string;
  /** The site's logo, shown above the banner's title. */
  readonly logo?: string;
  /** Names (and `*` patterns) of cookies and storage keys per category, deleted on withdrawal. */
  readonly storage: ReadonlyArray<{
    readonly category: Category;
    readonly kind: 'cookie' | 'local_storage' | 'session_storage';
    readonly name: string;
    readonly namePattern: boolean;
    readonly domain: string | null;
  }>;
}
