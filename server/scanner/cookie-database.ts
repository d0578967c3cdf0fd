/**
 * The Open Cookie Database (github.com/jkwakman/Open-Cookie-Database, Apache-2.0, by Jeroen Kwakman and its
 * contributors): who sets a cookie or storage key of a well-known name, why, and for how long. A scan suggests an
 * inventory item from it for what it found undeclared. It is loaded from a path or an http(s) URL
 * (SAMTYKKE_COOKIE_DATABASE), never shipped in this repository, and some entries are wrong: a match is a suggestion
 * for a person to confirm, never a fact.
 */
import { readFile } from 'node:fs/promises';
import type { Category } from '../domain/consent.ts';
import type { CookieSuggestion } from '../domain/scan.ts';

/** Upstream's JSON, as published in its repository: a real install fetches the newest on demand. */
export const OPEN_COOKIE_DATABASE_URL = 'https://raw.githubusercontent.com/jkwakman/Open-Cookie-Database/master/open-cookie-database.json';

interface Entry {
  readonly category: string;
  readonly cookie: string;
  readonly domain: string;
  readonly description: string;
  readonly retentionPeriod: string;
  readonly dataController: string;
  readonly privacyLink: string;
  readonly wildcardMatch: string;
}

/** The database's categories in ours: what only makes the service work is functional, marketing is ad measurement. */
const CATEGORY_OF: Readonly<Record<string, Category>> = {
  Functional: 'functional',
  Necessary: 'functional',
  Security: 'functional',
  Personalization: 'functional',
  Analytics: 'analytics',
  Marketing: 'ads',
};

export class CookieDatabase {
  private readonly exact = new Map<string, Array<{ platform: string; entry: Entry }>>();
  /** Prefix entries (`_ga_` for `_ga_XYZ`), longest first, so the most specific wins. */
  private readonly prefixes: Array<{ platform: string; entry: Entry }> = [];

  private constructor(
    /** Where it was loaded from, for the report. */
    readonly source: string,
    data: Record<string, Entry[]>,
  ) {
    for (const [platform, entries] of Object.entries(data)) {
      for (const entry of entries) {
        if (!(entry.category in CATEGORY_OF) || entry.cookie === '') continue;
        if (entry.wildcardMatch === '1') this.prefixes.push({ platform, entry });
        else {
          const named = this.exact.get(entry.cookie) ?? [];
          named.push({ platform, entry });
          this.exact.set(entry.cookie, named);
        }
      }
    }
    this.prefixes.sort((a, b) => b.entry.cookie.length - a.entry.cookie.length);
  }

  /** Loads it from a file path or an http(s) URL, with a message that says what to set when it cannot. */
  static async load(source: string): Promise<CookieDatabase> {
    let text: string;
    try {
      if (/^https?:\/\//.test(source)) {
        const answer = await fetch(source, { signal: AbortSignal.timeout(30_000) });
        if (!answer.ok) throw new Error(`it answered ${answer.status}`);
        text = await answer.text();
      } else {
        text = await readFile(source, 'utf8');
      }
    } catch (error) {
      throw new Error(`The Open Cookie Database could not be read from ${source} (${(error as Error).message}); set SAMTYKKE_COOKIE_DATABASE to its JSON file or URL`, { cause: error });
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new Error(`${source} is not JSON, so not the Open Cookie Database: ${(error as Error).message}`, { cause: error });
    }
    if (!isDatabase(data)) throw new Error(`${source} is not the Open Cookie Database's JSON (an object of platforms, each a list of entries with a cookie name and category)`);
    return new CookieDatabase(source, data);
  }

  /** Entries that can suggest something. */
  get size(): number {
    let count = this.prefixes.length;
    for (const named of this.exact.values()) count += named.length;
    return count;
  }

  /**
   * What the database says of a name: the exact entry (of the given host's domain where several share the name),
   * else the longest prefix entry that starts it; null when nothing matches.
   */
  suggest(name: string, host: string | null = null): CookieSuggestion | null {
    const named = this.exact.get(name);
    if (named) {
      const onHost = host ? named.find(({ entry }) => entry.domain !== '' && (host === entry.domain || host.endsWith(`.${entry.domain}`))) : undefined;
      const { platform, entry } = onHost ?? named[0]!;
      return toSuggestion(platform, entry, false);
    }
    const prefixed = this.prefixes.find(({ entry }) => name.startsWith(entry.cookie));
    return prefixed ? toSuggestion(prefixed.platform, prefixed.entry, true) : null;
  }
}

function toSuggestion(platform: string, entry: Entry, prefix: boolean): CookieSuggestion {
  return {
    name: entry.cookie,
    platform,
    category: CATEGORY_OF[entry.category]!,
    databaseCategory: entry.category,
    provider: entry.dataController || platform,
    purpose: entry.description,
    retention: entry.retentionPeriod,
    privacyLink: entry.privacyLink,
    prefix,
  };
}

function isDatabase(data: unknown): data is Record<string, Entry[]> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const lists = Object.values(data);
  return (
    lists.length > 0 &&
    lists.every((list) => Array.isArray(list) && list.every((entry) => typeof entry?.cookie === 'string' && typeof entry?.category === 'string'))
  );
}
