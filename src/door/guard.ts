/**
 * The door: every HTTP request this process serves passes here before the Functions
 * Framework sees it. The framework (v5) gives no hook ahead of its body parsers, which
 * accept 1 GiB, answer malformed JSON with a logged stack trace, and whose CloudEvent
 * middleware throws (500) on a GET or a text/plain POST. So at start the door subscribes to
 * Node's `http.server.request.start` diagnostics channel, which names the server of each
 * request before the server emits it, and places itself in front of that server's request
 * listener (the framework's Express app), once per server. Public Node APIs only: no module
 * is patched, and it runs the same on Cloud Run as in tests.
 *
 * For each request the door reads the body (at most MAX_BODY_BYTES), decides (rules.ts), and
 * either answers a 4xx with one WARNING line, or hands the request on with the body parsed
 * the way the framework's parsers would have (they skip a request whose body was read), and
 * with a last-resort handler for an error the framework's middleware throws.
 *
 * Memory: a request holds at most its body (one buffer of its Content-Length, or a chunked
 * body's chunks and one copy), the decoded text, the parsed value and `rawBody`; about 4× the
 * body, so up to ~64 MiB for a 16 MiB body (docs/door.md sizes instances by it). All
 * requests together hold at most the in-flight budget (budget.ts) from arrival to answer.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { log } from '../log';
import { InFlightBudget } from './budget';
import { headProblem, judgeBody, MAX_BODY_BYTES, type Refusal, tooLarge } from './rules';

export type Next = (error?: unknown) => void;
export type Listener = (req: IncomingMessage, res: ServerResponse, next?: Next) => void;

interface DoorRequest extends IncomingMessage {
  body?: unknown;
  rawBody?: Buffer;
}

const guarded = new WeakSet<Server>();

/**
 * Puts the door in front of every HTTP server of this process, from its first request on.
 * `inFlightBytes`: AUTOLOADER_DOOR_INFLIGHT_BYTES (settings.ts).
 */
export function installDoor(options: { inFlightBytes?: number } = {}): void {
  const budget = new InFlightBudget(options.inFlightBytes);
  subscribe('http.server.request.start', (message) => {
    const { server } = message as { server: Server };
    if (guarded.has(server)) return;
    guarded.add(server);
    const listeners = server.listeners('request') as Listener[];
    server.removeAllListeners('request');
    server.on('request', door(listeners, budget));
  });
}

/**
 * The request listener that stands in front of `listeners`. Nothing it or they throw may
 * reject unhandled: the framework kills the process on an unhandled rejection.
 */
export function door(
  listeners: Listener[],
  budget = new InFlightBudget(),
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    admit(req, res, listeners, budget).catch((error: unknown) => fail(req, res, error));
  };
}

async function admit(
  req: DoorRequest,
  res: ServerResponse,
  listeners: Listener[],
  budget: InFlightBudget,
) {
  const early = headProblem(req.method, req.headers);
  if (early) return refuse(req, res, early, announcesBody(req));
  // Held from arrival until the answer is sent (or the connection closes): the event runs
  // in between, with the parsed body in memory. A chunked body reserves the largest allowed.
  const size = declaredLength(req) ?? MAX_BODY_BYTES;
  if (!budget.take(size)) return defer(req, res, budget, size);
  res.once('close', () => budget.give(size));
  const bytes = await readBody(req);
  if (bytes === 'aborted') {
    // The caller is gone: nobody to answer, nothing to run (an event is redelivered).
    log('NOTICE', 'request abandoned: the caller left before sending its whole body', {
      method: req.method,
    });
    return;
  }
  if (bytes === 'too large') return refuse(req, res, tooLarge(), true);
  const verdict = judgeBody(req.headers, bytes);
  if ('status' in verdict) return refuse(req, res, verdict, false);
  req.body = verdict.body;
  req.rawBody = bytes;
  // Express takes a third argument as its final handler: what its middleware throws or no
  // route answers comes back here, not to a stack trace.
  const last: Next = (error) => {
    if (res.headersSent || (error !== undefined && !isConversionError(error))) {
      return fail(req, res, error ?? new Error('no route answered after the answer began'));
    }
    if (error === undefined)
      return refuse(req, res, { status: 404, reason: 'no such route' }, false);
    const reason = `not a CloudEvent: ${(error as Error).message.slice(0, 200)}`;
    refuse(req, res, { status: 400, reason }, false);
  };
  for (const listener of listeners) listener(req, res, last);
}

/**
 * The framework's EventConversionError (cloud_events.ts: a legacy event it cannot convert),
 * known by its class name: the package's exports map does not expose the class.
 */
function isConversionError(error: unknown): error is Error {
  return error instanceof Error && error.constructor.name === 'EventConversionError';
}

/** Whether the request has a body the door would leave unread. */
function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A Content-Length Node has checked and the door accepts, or undefined (chunked). */
function declaredLength(req: IncomingMessage): number | undefined {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined || !length || !/^\d+$/.test(length)) {
    return undefined;
  }
  const n = Number(length);
  return n <= MAX_BODY_BYTES ? n : undefined;
}

/** The whole body; `too large` once it passes MAX_BODY_BYTES (the rest is not read). */
function readBody(req: IncomingMessage): Promise<Buffer | 'too large' | 'aborted'> {
  // With a Content-Length, one buffer of that size and no copy; chunked, chunks and one copy.
  const length = declaredLength(req);
  const whole = length === undefined ? undefined : Buffer.allocUnsafe(length);
  const limit = whole?.length ?? MAX_BODY_BYTES;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > limit) {
        req.off('data', onData);
        req.pause();
        resolve('too large');
        return;
      }
      if (whole) chunk.copy(whole, size);
      else chunks.push(chunk);
      size += chunk.length;
    };
    req.on('data', onData);
    req.once('end', () => resolve(whole ? whole.subarray(0, size) : Buffer.concat(chunks, size)));
    req.once('error', () => resolve('aborted'));
    req.once('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}

/**
 * Over the in-flight budget: 429, which Pub/Sub push and Eventarc take as "deliver again
 * later" (with backoff). Not a refusal: the event itself may be fine.
 */
function defer(req: IncomingMessage, res: ServerResponse, budget: InFlightBudget, size: number) {
  const reason = `busy: ${budget.inFlight} bytes of requests in flight, ${size} more would pass AUTOLOADER_DOOR_INFLIGHT_BYTES=${budget.limit}; deliver again later`;
  log('WARNING', `request deferred: ${reason}`, {
    outcome: 'retry',
    reason,
    httpRequest: httpRequestOf(req, 429),
  });
  answer(res, 429, `${reason}\n`, { 'retry-after': '1', connection: 'close' });
}

function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal, close: boolean) {
  if (res.headersSent) return fail(req, res, new Error(`${refusal.reason} after the answer began`));
  log('WARNING', `request refused: ${refusal.reason}`, {
    outcome: 'refused',
    reason: refusal.reason,
    httpRequest: httpRequestOf(req, refusal.status),
  });
  answer(res, refusal.status, `${refusal.reason}\n`, {
    ...(refusal.status === 405 ? { allow: 'POST' } : {}),
    // An unread body cannot stay on a kept-alive connection (Node would read it all first).
    ...(close ? { connection: 'close' } : {}),
  });
}

/**
 * An error of the door or behind it: one ERROR line (the stack stays in the log), a 500 with
 * nothing of the error in it, or, once the answer began, the connection cut (as Express's
 * finalhandler does) so the caller sees a failure, not a truncated success.
 */
function fail(req: IncomingMessage, res: ServerResponse, error: unknown) {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  log('ERROR', `request failed: ${detail}`, {
    httpRequest: httpRequestOf(req, res.headersSent ? undefined : 500),
    ...(res.headersSent ? { connectionCut: true } : {}),
    ...(error instanceof Error ? { stack: error.stack } : {}),
  });
  if (res.headersSent) res.destroy();
  else answer(res, 500, 'internal error\n', { connection: 'close' });
}

/**
 * Cloud Logging's `httpRequest` field for a line about this request (method, status, size,
 * user agent), so the console shows it as a request.
 * https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry#HttpRequest
 */
function httpRequestOf(req: IncomingMessage, status: number | undefined) {
  const size = req.headers['content-length'];
  const agent = req.headers['user-agent'];
  return {
    requestMethod: req.method,
    ...(status === undefined ? {} : { status }),
    ...(size && /^\d+$/.test(size) ? { requestSize: size } : {}),
    ...(agent ? { userAgent: agent } : {}),
  };
}

function answer(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders) {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}
