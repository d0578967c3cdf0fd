/** Schemas for everything the public collector accepts; request types are derived from them, never hand-written. */
import { z } from 'zod';
import type { ConsentRequest, EventsRequest } from '../contract.ts';
import { LARGEST_INTEGER_COLUMN, urlTextProblem } from '../edge-input.ts';
import { ACTIONS, CATEGORIES, LOCALES, SOURCES } from '../domain/consent.ts';
import { pageUrl } from '../domain/page-address.ts';
import { SHOWN_HASH_PATTERN } from '../domain/shown-content.ts';
import { SITE_KEY_PATTERN } from '../domain/sites.ts';
import { SIGNAL_TYPES } from '../domain/events.ts';

export const siteKey = z.string().regex(SITE_KEY_PATTERN, 'must be a site key such as "min-side"');
const consentId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16 to 64 characters of A-Z, a-z, 0-9, _ or -');
const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an absolute http(s) URL')
  .superRefine((value, ctx) => {
    const problem = urlTextProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `must be a URL whose text can be stored: ${problem.message.toLowerCase()}` });
  });
/**
 * Where a page view or decision happened: an http(s) URL, or on an app site an `app://` URL or a screen name
 * (domain/page-address.ts). Which one the site takes is known only once the site is (collector/pipeline.ts).
 */
const pageAddress = z
  .string()
  .max(2048)
  .refine((value) => pageUrl(value, 'app') !== null, 'must be an absolute http(s) URL (on an app site also an app:// URL or a screen name)')
  .superRefine((value, ctx) => {
    const url = pageUrl(value, 'app');
    const problem = url && urlTextProblem(url.href);
    if (problem) ctx.addIssue({ code: 'custom', message: `must be a URL whose text can be stored: ${problem.message.toLowerCase()}` });
  });

const choices = z
  .record(z.string(), z.boolean('must be true or false'))
  .superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (!(CATEGORIES as readonly string[]).includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `unknown category "${key}" (known: ${CATEGORIES.join(', ')})` });
      }
    }
    for (const category of CATEGORIES) {
      if (!(category in value)) ctx.addIssue({ code: 'custom', path: [category], message: 'is required' });
    }
  })
  .transform((value) => ({ functional: value.functional!, analytics: value.analytics!, ads: value.ads! }));

export const consentRequestSchema = z
  .strictObject({
    site: siteKey,
    consentId,
    policyVersion: z.number().int().positive().max(LARGEST_INTEGER_COLUMN),
    choices,
    action: z.enum(ACTIONS),
    source: z.enum(SOURCES),
    locale: z.enum(LOCALES),
    url: pageAddress.optional(),
    account: z.string().trim().min(1).max(200).optional(),
    shown: z.string().regex(SHOWN_HASH_PATTERN, 'must be the SHA-256 (64 lower-case hex characters) of the content shown').optional(),
    gpc: z.boolean().optional(),
  })
  .superRefine((request, ctx) => {
    const { functional, analytics, ads } = request.choices;
    if (request.action === 'accept_all' && !(functional && analytics && ads)) {
      ctx.addIssue({ code: 'custom', path: ['action'], message: 'accept_all must grant every category' });
    }
    if (request.source === 'gpc' && request.gpc === false) {
      ctx.addIssue({ code: 'custom', path: ['gpc'], message: 'source gpc needs a browser that sent Global Privacy Control' });
    }
    if (request.action === 'reject_all' && (analytics || ads)) {
      ctx.addIssue({ code: 'custom', path: ['action'], message: 'reject_all must deny analytics and ads' });
    }
  }) satisfies z.ZodType<ConsentRequest, unknown>;

const propValue = z.union([z.string().max(500), z.number().finite(), z.boolean()]);
// Custom properties are bounded so one client cannot fill the database through them.
const MAX_PROPS = 30;
const MAX_PROPS_BYTES = 2_048;
const props = z
  .record(z.string().min(1).max(64), propValue)
  .refine((value) => Object.keys(value).length <= MAX_PROPS, `at most ${MAX_PROPS} properties`)
  .refine((value) => JSON.stringify(value).length <= MAX_PROPS_BYTES, `at most ${MAX_PROPS_BYTES} bytes of properties`);

// A type check only: an absurd value (1e999, before 2000, next year) is a clock problem, clamped when it is stored.
const clientTime = z.custom<number>((value) => typeof value === 'number', 'must be a number: milliseconds since 1970-01-01 UTC');

/** A day: no page is in use longer between two of its engagement events (the widget sends one at least on every exit). */
export const MAX_ENGAGED_MS = 86_400_000;

/** The fields only some event types carry: required of those, refused on the others. */
const TYPED_FIELDS = { engagedMs: ['engagement'], scroll: ['engagement'], link: ['outbound', 'download'] } as const;

const eventInput = z
  .strictObject({
    type: z.enum(['pageview', 'custom', ...SIGNAL_TYPES]),
    name: z.string().trim().min(1).max(120).optional(),
    url: pageAddress,
    referrer: z.union([pageAddress, z.literal('')]).optional(),
    props: props.optional(),
    time: clientTime.optional(),
    engagedMs: z.number().int('must be whole milliseconds').min(0).max(MAX_ENGAGED_MS).optional(),
    scroll: z.number().int('must be a whole percentage').min(0).max(100).optional(),
    link: httpUrl.optional(),
  })
  .superRefine((event, ctx) => {
    if (event.type === 'custom' && event.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required for custom events' });
    for (const [field, types] of Object.entries(TYPED_FIELDS) as Array<[keyof typeof TYPED_FIELDS, readonly string[]]>) {
      const carries = types.includes(event.type);
      // Scroll depth may be unknown (a page the browser could not measure); the others define their event.
      if (carries && event[field] === undefined && field !== 'scroll') ctx.addIssue({ code: 'custom', path: [field], message: `is required for ${event.type} events` });
      if (!carries && event[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `belongs to ${types.join(' and ')} events only` });
    }
  });

export const MAX_EVENTS_PER_REQUEST = 100;

export const eventsRequestSchema = z.strictObject({
  site: siteKey,
  consentId,
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 characters of A-Z, a-z, 0-9, _ or -').optional(),
  sentAt: clientTime.optional(),
  events: z.array(eventInput).min(1, 'must hold at least one event').max(MAX_EVENTS_PER_REQUEST, `at most ${MAX_EVENTS_PER_REQUEST} events per request`),
}) satisfies z.ZodType<EventsRequest, unknown>;

/**
 * GET /p.gif: the same event, for places without JavaScript, in short query parameters. It carries no time: an image
 * is requested when the page shows it, so the receive time is when it happened.
 */
export const pixelQuerySchema = z.strictObject({
  site: siteKey,
  cid: consentId,
  url: httpUrl,
  ref: z.union([httpUrl, z.literal('')]).optional(),
  name: z.string().trim().min(1).max(120).optional(),
  sid: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
});

export type PixelQuery = z.output<typeof pixelQuerySchema>;
