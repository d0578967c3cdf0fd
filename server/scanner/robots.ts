/**
 * robots.txt for the scanner: fetched once per origin and read for the scanner's user-agent token, so a site's owner
 * can keep the scan off pages that must not be visited (a logout link, an action behind a plain GET).
 */
import robotsParser from 'robots-parser';

/** The name a robots.txt group addresses to reach the scanner (`User-agent: SamtykkeScanner`). */
export const SCANNER_USER_AGENT_TOKEN = 'SamtykkeScanner';

/** Whether the robots.txt of a URL's origin lets the scanner visit it. */
export type RobotsCheck = (url: string) => Promise<boolean>;

type Robots = ReturnType<typeof robotsParser>;

interface FetchOptions {
  /** How long the file may take to arrive before it counts as not there. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * A check that reads each origin's robots.txt the first time one of its pages is asked about. A missing file (any
 * 4xx) allows everything, as the standard says; so does one that cannot be read (unreachable, slow, a server
 * error), unlike a search engine's crawler: the scan is asked for by the site's owner, and their own broken
 * robots.txt must not stop it from checking their own pages.
 */
export function robotsCheck(options: FetchOptions): RobotsCheck {
  const byOrigin = new Map<string, Promise<Robots>>();
  return async (url) => {
    const origin = new URL(url).origin;
    let robots = byOrigin.get(origin);
    if (!robots) byOrigin.set(origin, (robots = fetchRobots(origin, options)));
    // undefined would mean the URL is not on the file's origin, which cannot happen here.
    return (await robots).isAllowed(url, SCANNER_USER_AGENT_TOKEN) !== false;
  };
}

async function fetchRobots(origin: string, { timeoutMs, signal }: FetchOptions): Promise<Robots> {
  const robotsUrl = `${origin}/robots.txt`;
  const timeout = AbortSignal.timeout(timeoutMs);
  let text = '';
  try {
    const response = await fetch(robotsUrl, {
      headers: { 'user-agent': SCANNER_USER_AGENT_TOKEN },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (response.ok) text = await response.text();
  } catch {
    // Unreachable: the page's own visit says so, in words a person can act on. An abort of the scan is not ours to hide.
    signal?.throwIfAborted();
  }
  return robotsParser(robotsUrl, text);
}
