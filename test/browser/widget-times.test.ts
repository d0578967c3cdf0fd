/** The widget in real Chromium sends each event's own time and the batch's send time, and the server stores them. */
import { describe, expect, test } from 'vitest';
import type { EventsRequest } from '../../server/contract.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { pageEngines } from '../helpers/database.ts';
import { NOTICE, decide, freshPage, isRequestTo, storedEvents, widgetEnvironment, EVENTUALLY } from '../widget/fixtures.ts';

describe.skipIf(!browserAvailable).each(pageEngines)('event times from the widget (%s)', (engine) => {
  const environment = widgetEnvironment(engine);

  test('two pageviews batched together carry their own times, and are stored that far apart', async () => {
    const { page, context, errors } = await freshPage(environment.browser);
    await page.goto(`${environment.server.url}/demo`);
    await page.locator(NOTICE).waitFor();
    const consentId = await page.evaluate(() => window.Samtykke!.consentId);
    await decide(page, 'Godta alle');
    // The landing pageview goes out on its own as soon as the decision is recorded (the ad pixel is stored too).
    await expect.poll(async () => (await storedEvents(environment.server, consentId)).some((event) => event.path === '/demo'), EVENTUALLY).toBe(true);

    const sent: EventsRequest[] = [];
    page.on('request', (request) => {
      if (isRequestTo('/api/events')(request.url())) sent.push(request.postDataJSON() as EventsRequest);
    });
    // Two navigations well inside the widget's one-second batching delay: one batch, two moments.
    await page.evaluate(async () => {
      history.pushState(null, '', '/demo/first');
      await new Promise((resolve) => setTimeout(resolve, 300));
      history.pushState(null, '', '/demo/second');
    });

    await expect.poll(() => sent.length, EVENTUALLY).toBe(1);
    const [batch] = sent;
    expect(batch!.events.map((event) => new URL(event.url).pathname)).toEqual(['/demo/first', '/demo/second']);
    const [first, second] = batch!.events.map((event) => event.time!);
    expect(second! - first!).toBeGreaterThanOrEqual(300);
    expect(batch!.sentAt).toBeGreaterThanOrEqual(second!);

    const stored = async () => (await storedEvents(environment.server, consentId)).filter((event) => event.path.startsWith('/demo/'));
    await expect.poll(async () => (await stored()).length, EVENTUALLY).toBe(2);
    const [firstStored, secondStored] = await stored();
    // One batch, one clock correction: the gap between the two survives exactly.
    expect(secondStored!.occurred_at.getTime() - firstStored!.occurred_at.getTime()).toBe(second! - first!);
    expect(secondStored!.occurred_at.getTime()).toBeLessThanOrEqual(Date.now());
    expect(errors).toEqual([]);
    await context.close();
  });
});
