/** The load generator's process: runs one autocannon load per message and answers with what it saw. */
import autocannon from 'autocannon';
import { answerParent, onTerminate, tellParent } from './child.ts';
import { REQUEST_NUMBER, type LoadPlan, type WireLoadResult } from './load.ts';
import { RequestSet } from './request-set.ts';

interface Numbered {
  n?: number;
}

async function load(plan: LoadPlan): Promise<WireLoadResult> {
  const templates = plan.bodies.map((body) => body.split(REQUEST_NUMBER));
  const acknowledged = new RequestSet();
  const status = { success: 0, tooManyRequests: 0, unavailable: 0, other: 0 };
  let next = 0;
  let firstRefusal: WireLoadResult['firstRefusal'] = null;

  const result = await autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: plan.durationSeconds,
    requests: [
      {
        method: plan.method,
        path: plan.path,
        headers: { ...plan.headers },
        setupRequest: (request, context: Numbered) => {
          const n = next++;
          context.n = n;
          const template = templates[n % Math.max(templates.length, 1)];
          return template ? { ...request, body: template.join(String(n)) } : request;
        },
        onResponse: (code, body, context: Numbered) => {
          if (code >= 200 && code < 300) {
            status.success += 1;
            if (context.n !== undefined) acknowledged.add(context.n);
            return;
          }
          firstRefusal ??= { status: code, body: body.slice(0, 500) };
          if (code === 429) status.tooManyRequests += 1;
          else if (code === 503) status.unavailable += 1;
          else status.other += 1;
        },
      },
    ],
  });
  const answered = status.success + status.tooManyRequests + status.unavailable + status.other;
  return {
    durationSeconds: result.duration,
    answeredPerSecond: answered / result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    status,
    errors: result.errors + result.timeouts,
    acknowledged: acknowledged.toBase64(),
    firstRefusal,
  };
}

answerParent((message) => load(message as LoadPlan));
onTerminate(async () => {});
tellParent({ ready: true });
