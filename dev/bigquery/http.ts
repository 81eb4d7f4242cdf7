/**
 * The local BigQuery server's HTTP edges: reading and recording requests, answering JSON,
 * errors and injected faults.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http-util';
import { BodyTooLargeError, CLOSE } from '../local-guard';
import { BigQueryApiError, defaultReason, errorBody, invalid } from './errors';
import type { Fault } from './faults';

/** What a test can assert about a request once it has been answered. */
export interface RecordedRequest {
  method: string;
  /** Path with query string, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /**
   * The first `RECORDED_BODY_BYTES` of the body only (a copy): whole bodies are dropped with
   * the response, so a long-running `npm start` does not grow with every upload.
   */
  body: Buffer;
  /** The whole body's size. */
  bodyBytes: number;
}

/** A request being served: the whole body, kept only until the response. */
export interface IncomingRequest extends RecordedRequest {
  body: Buffer;
}

/** Enough for any jobs.insert or the metadata part of a multipart upload that tests look at. */
export const RECORDED_BODY_BYTES = 64 * 1024;
/** Recordings kept (the oldest go first), so that their memory is bounded too. */
const RECORDED_REQUESTS = 2000;

export function record(requests: RecordedRequest[], incoming: IncomingRequest): void {
  // A copy: a subarray would keep the whole body's memory alive.
  const body = Buffer.from(incoming.body.subarray(0, RECORDED_BODY_BYTES));
  requests.push({ ...incoming, body });
  if (requests.length > RECORDED_REQUESTS) requests.splice(0, requests.length - RECORDED_REQUESTS);
}

/**
 * The request with its whole body, recorded; undefined when it was already answered (413, a
 * body over `limit`).
 */
export async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  requests: RecordedRequest[],
): Promise<IncomingRequest | undefined> {
  const incoming: IncomingRequest = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: req.headers,
    body: Buffer.alloc(0),
    bodyBytes: 0,
  };
  try {
    incoming.body = await readBody(req, limit);
    incoming.bodyBytes = incoming.body.length;
    return incoming;
  } catch (error) {
    send(res, errorReply(error));
    return undefined;
  } finally {
    record(requests, incoming);
  }
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: Buffer | undefined;
  if (reply.body !== undefined) {
    payload = Buffer.from(JSON.stringify(reply.body));
    headers['Content-Type'] = 'application/json; charset=UTF-8';
  }
  headers['Content-Length'] = String(payload?.length ?? 0);
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export function errorReply(error: unknown): Reply {
  if (error instanceof BodyTooLargeError) {
    return { status: 413, body: errorBody(413, 'invalid', error.message), headers: CLOSE };
  }
  if (error instanceof BigQueryApiError) {
    return { status: error.status, body: errorBody(error.status, error.reason, error.message) };
  }
  const message = `Local BigQuery server error: ${(error as Error)?.message}`;
  return { status: 500, body: errorBody(500, 'internalError', message) };
}

export function answerFault(req: IncomingMessage, res: ServerResponse, fault: Fault): void {
  if (fault.reset) {
    req.socket.destroy();
    return;
  }
  const status = fault.status ?? 503;
  const reason = fault.reason ?? defaultReason(status);
  const message = fault.message ?? `Injected fault (${reason})`;
  send(res, { status, body: errorBody(status, reason, message) });
}

/**
 * A JSON body. It must say `application/json`: a web page can POST `text/plain` to any
 * server without a CORS preflight, never `application/json`.
 */
export function parseJsonBody(req: IncomingRequest): unknown {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new BigQueryApiError(
      415,
      'invalid',
      `The request body must be application/json (got ${JSON.stringify(type)})`,
    );
  }
  try {
    return JSON.parse(req.body.toString('utf8'));
  } catch (cause) {
    throw invalid(`The request body is not valid JSON: ${(cause as Error).message}`);
  }
}
