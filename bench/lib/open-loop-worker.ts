/**
 * The open-loop generator's process: writes pre-built HTTP/1.1 requests on a fixed schedule over a pool of
 * keep-alive sockets and reads the answers with a minimal parser (status line, content-length or chunked), which
 * costs far less CPU per request than node:http on a machine the server shares. One message runs one schedule.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { answerParent, onTerminate, tellParent } from './child.ts';
import { REQUEST_NUMBER } from './load.ts';
import { summarise, type OpenLoopPlan, type WireOpenLoopResult } from './open-loop.ts';
import { RequestSet } from './request-set.ts';

interface InFlight {
  readonly n: number;
  readonly dueAt: number;
}

interface Connection {
  readonly socket: net.Socket;
  current: InFlight | null;
  buffer: Buffer;
  /** When it last went idle (performance.now()). */
  idleSince: number;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly close: boolean;
  /** Bytes of the buffer the answer took. */
  readonly length: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
// Only a refusal's body is kept, for the report; a 2xx body is skipped unread.
const KEPT_BODY = 500;
// Node's server closes a keep-alive socket idle for 5 s (its keepAliveTimeout). A request written just as it does
// is lost with the socket, unanswered though the server never read it: an idle socket older than this is closed
// here and never reused, as HTTP clients do (undici's keep-alive timeout).
const REUSE_LIMIT_MS = 4_000;

/** One complete answer at the start of `buffer`, or null while it is still arriving. */
function parseAnswer(buffer: Buffer): Answer | null {
  const headerEnd = buffer.indexOf(HEADER_END);
  if (headerEnd < 0) return null;
  const head = buffer.toString('latin1', 0, headerEnd).toLowerCase();
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection: *close/.test(head);
  const bodyStart = headerEnd + 4;
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) {
    const end = bodyStart + Number(length[1]);
    if (buffer.length < end) return null;
    return { status, close, length: end, body: status >= 300 ? buffer.toString('utf8', bodyStart, Math.min(end, bodyStart + KEPT_BODY)) : '' };
  }
  if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    const parts: Buffer[] = [];
    let at = bodyStart;
    for (;;) {
      const lineEnd = buffer.indexOf(CRLF, at);
      if (lineEnd < 0) return null;
      const size = parseInt(buffer.toString('latin1', at, lineEnd), 16);
      if (size === 0) {
        // No trailers are sent to us: the last chunk is followed by one empty line.
        if (buffer.length < lineEnd + 4) return null;
        const body = status >= 300 ? Buffer.concat(parts).toString('utf8').slice(0, KEPT_BODY) : '';
        return { status, close, length: lineEnd + 4, body };
      }
      const chunkEnd = lineEnd + 2 + size;
      if (buffer.length < chunkEnd + 2) return null;
      if (status >= 300) parts.push(buffer.subarray(lineEnd + 2, chunkEnd));
      at = chunkEnd + 2;
    }
  }
  // No length and not chunked: a 204 or 304, or a body to the close, which these servers never send.
  return { status, close, length: bodyStart, body: '' };
}

async function run(plan: OpenLoopPlan): Promise<WireOpenLoopResult> {
  const target = new URL(plan.url);
  const port = Number(target.port || 80);
  const headerLines = Object.entries({ host: target.host, ...plan.headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const templates = plan.bodies.map((body) => body.split(REQUEST_NUMBER));
  const requestBytes = (n: number): string => {
    const body = templates[n % templates.length]!.join(String(n));
    return `POST ${plan.path} HTTP/1.1\r\n${headerLines}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  };

  const total = Math.round(plan.ratePerSecond * plan.durationSeconds);
  const intervalMs = 1000 / plan.ratePerSecond;
  const windowMs = plan.windowSeconds * 1000;
  const windowCount = Math.ceil(plan.durationSeconds / plan.windowSeconds);
  const windowLatencies: number[][] = Array.from({ length: windowCount }, () => []);
  const windowDue = new Array<number>(windowCount).fill(0);
  const sendLags: number[] = [];
  const acknowledged = new RequestSet();
  const status = { success: 0, tooManyRequests: 0, unavailable: 0, other: 0 };
  let firstRefusal: WireOpenLoopResult['firstRefusal'] = null;
  let errors = 0;
  let answered = 0;
  let socketsOpened = 0;
  let start = 0;
  let lastAnswerAt = 0;

  const idle: Connection[] = [];
  const all = new Set<Connection>();
  const waiting: InFlight[] = [];
  let settle: (() => void) | null = null;
  const finishedOne = () => {
    if (answered + errors === total) settle?.();
  };

  const write = (connection: Connection, request: InFlight) => {
    connection.current = request;
    sendLags.push(performance.now() - request.dueAt);
    connection.socket.write(requestBytes(request.n));
  };
  const release = (connection: Connection) => {
    const next = waiting.shift();
    if (next) write(connection, next);
    else {
      connection.idleSince = performance.now();
      idle.push(connection);
    }
  };
  /** The most recently used idle socket that the server will not be closing now, or a new one while there is room. */
  const acquire = (): Connection | undefined => {
    for (let connection = idle.pop(); connection; connection = idle.pop()) {
      if (performance.now() - connection.idleSince < REUSE_LIMIT_MS) return connection;
      connection.socket.destroy();
    }
    return all.size < plan.maxSockets ? open() : undefined;
  };
  const open = (): Connection => {
    socketsOpened += 1;
    const socket = net.connect({ host: target.hostname, port });
    socket.setNoDelay(true);
    const connection: Connection = { socket, current: null, buffer: Buffer.alloc(0), idleSince: performance.now() };
    all.add(connection);
    socket.on('data', (chunk: Buffer) => {
      connection.buffer = connection.buffer.length === 0 ? chunk : Buffer.concat([connection.buffer, chunk]);
      for (;;) {
        const answer = parseAnswer(connection.buffer);
        if (!answer) return;
        connection.buffer = connection.buffer.subarray(answer.length);
        const request = connection.current;
        connection.current = null;
        if (request) {
          answered += 1;
          lastAnswerAt = performance.now();
          const index = Math.min(windowCount - 1, Math.floor((request.dueAt - start) / windowMs));
          windowLatencies[index]!.push(performance.now() - request.dueAt);
          if (answer.status >= 200 && answer.status < 300) {
            status.success += 1;
            acknowledged.add(request.n);
          } else {
            firstRefusal ??= { status: answer.status, body: answer.body };
            if (answer.status === 429) status.tooManyRequests += 1;
            else if (answer.status === 503) status.unavailable += 1;
            else status.other += 1;
          }
          finishedOne();
        }
        if (answer.close) {
          socket.destroy();
          return;
        }
        release(connection);
      }
    });
    const lost = () => {
      if (!all.delete(connection)) return;
      const index = idle.indexOf(connection);
      if (index >= 0) idle.splice(index, 1);
      if (connection.current) {
        connection.current = null;
        errors += 1;
        finishedOne();
      }
      // A socket the server closed must not strand the requests waiting for one.
      const next = waiting.shift();
      if (next) write(open(), next);
    };
    socket.on('error', lost);
    socket.on('close', lost);
    return connection;
  };

  // Sockets opened ahead, so the first second does not measure connection setup.
  const warm = Math.min(plan.maxSockets, Math.ceil(plan.ratePerSecond / 100) + 8);
  await Promise.all(
    Array.from({ length: warm }, () => {
      const connection = open();
      return new Promise<void>((resolve, reject) => {
        connection.socket.once('connect', () => {
          connection.idleSince = performance.now();
          idle.push(connection);
          resolve();
        });
        connection.socket.once('error', reject);
      });
    }),
  );

  const done = new Promise<void>((resolve) => (settle = resolve));
  start = performance.now();
  const startedAtEpochMs = Date.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      for (; next < due; next++) {
        const request = { n: next, dueAt: start + next * intervalMs };
        windowDue[Math.min(windowCount - 1, Math.floor((request.dueAt - start) / windowMs))]! += 1;
        const connection = acquire();
        if (connection) write(connection, request);
        else waiting.push(request);
      }
      if (next < total) setTimeout(tick, Math.max(0, Math.min(1, start + next * intervalMs - performance.now())));
      else resolve();
    };
    tick();
  });
  const unanswered = await Promise.race([
    done.then(() => 0),
    new Promise<number>((resolve) => setTimeout(() => resolve(total - answered - errors), plan.drainSeconds * 1000)),
  ]);
  errors += unanswered;
  for (const connection of all) connection.socket.destroy();

  const allLatencies = windowLatencies.flat();
  return {
    startedAtEpochMs,
    durationSeconds: plan.durationSeconds,
    ratePerSecond: plan.ratePerSecond,
    sent: total - waiting.length,
    // Over the schedule, or longer when the answers trailed it: what the server kept up with.
    achievedPerSecond: status.success / Math.max(plan.durationSeconds, (lastAnswerAt - start) / 1000),
    latencyMs: summarise(allLatencies),
    sendLagMs: summarise(sendLags),
    windows: windowLatencies.map((latencies, index) => ({
      startSeconds: index * plan.windowSeconds,
      due: windowDue[index]!,
      latencyMs: summarise(latencies),
    })),
    status,
    errors,
    socketsOpened,
    acknowledged: acknowledged.toBase64(),
    firstRefusal,
  };
}

answerParent((message) => run(message as OpenLoopPlan));
onTerminate(async () => {});
tellParent({ ready: true });
