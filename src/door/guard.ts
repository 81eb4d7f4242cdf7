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
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { log } from '../log';
import { headProblem, judgeBody, MAX_BODY_BYTES, type Refusal, tooLarge } from './rules';

type Next = (error?: unknown) => void;
type Listener = (req: IncomingMessage, res: ServerResponse, next?: Next) => void;

interface DoorRequest extends IncomingMessage {
  body?: unknown;
  rawBody?: Buffer;
}

const guarded = new WeakSet<Server>();

/** Puts the door in front of every HTTP server of this process, from its first request on. */
export function installDoor(): void {
  subscribe('http.server.request.start', (message) => {
    const { server } = message as { server: Server };
    if (guarded.has(server)) return;
    guarded.add(server);
    const listeners = server.listeners('request') as Listener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void admit(req, res, listeners);
    });
  });
}

async function admit(req: DoorRequest, res: ServerResponse, listeners: Listener[]) {
  const early = headProblem(req.method, req.headers);
  if (early) return refuse(req, res, early, early.status === 413);
  const bytes = await readBody(req);
  if (bytes === 'aborted') return; // the caller is gone: nobody to answer, nothing to run
  if (bytes === 'too large') return refuse(req, res, tooLarge(), true);
  const verdict = judgeBody(req.headers, bytes);
  if ('status' in verdict) return refuse(req, res, verdict, false);
  req.body = verdict.body;
  req.rawBody = bytes;
  // Express takes a third argument as its final handler: what its middleware throws (a
  // legacy event it cannot convert) or no route answers comes back here, not to a stack trace.
  const last: Next = (error) => {
    const reason =
      error instanceof Error ? `not a CloudEvent: ${error.message.slice(0, 200)}` : 'no such route';
    refuse(req, res, { status: error ? 400 : 404, reason }, false);
  };
  for (const listener of listeners) listener(req, res, last);
}

/** The whole body; `too large` once it passes MAX_BODY_BYTES (the rest is not read). */
function readBody(req: IncomingMessage): Promise<Buffer | 'too large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        resolve('too large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', () => resolve('aborted'));
    req.once('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}

function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal, close: boolean) {
  log('WARNING', `request refused: ${refusal.reason}`, {
    outcome: 'refused',
    reason: refusal.reason,
    httpStatus: refusal.status,
    method: req.method,
  });
  if (res.headersSent) return;
  const body = `${refusal.reason}\n`;
  res.writeHead(refusal.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(refusal.status === 405 ? { allow: 'POST' } : {}),
    // An unread body cannot stay on a kept-alive connection.
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}
