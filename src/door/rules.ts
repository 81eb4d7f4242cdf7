/**
 * What the door lets through to the Functions Framework: pure decisions on a request's
 * method, headers and body. Everything here is answered before the framework parses a byte,
 * so nothing a caller sends can reach its middleware in a shape it throws on (a 500 with a
 * stack trace), nor make it buffer a gigabyte.
 *
 * A request that is not an event at all gets a 4xx: no real caller sends one, so nothing is
 * redelivered. A binary-mode CloudEvent (ce-* headers) is an event even when its data is not
 * JSON: it goes through, and the pipeline acknowledges and refuses it with its reason, so
 * Eventarc does not retry it.
 */

import { jsonNestsDeeper, MAX_JSON_DEPTH } from '../core/json-depth';
import { MAX_BODY_BYTES } from '../core/request-limits';
import { decodeUtf8 } from '../core/utf8';

export { MAX_BODY_BYTES };

export interface Refusal {
  status: number;
  reason: string;
}

export type Headers = Record<string, string | string[] | undefined>;

const JSON_TYPES = new Set(['application/json', 'application/cloudevents+json']);

/** A binary-mode CloudEvent, as the framework tells one (cloud_events.ts, isBinaryCloudEvent). */
function isBinaryCloudEvent(headers: Headers): boolean {
  return ['ce-type', 'ce-specversion', 'ce-source', 'ce-id'].every((h) => Boolean(headers[h]));
}

function mediaType(headers: Headers): { type: string; charset?: string } {
  const [type = '', ...params] = String(headers['content-type'] ?? '').split(';');
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/"/g, '');
  return { type: type.trim().toLowerCase(), ...(charset ? { charset } : {}) };
}

/** Refusals known from the request line and headers, before any byte of the body is read. */
export function headProblem(method: string | undefined, headers: Headers): Refusal | undefined {
  if (method !== 'POST') {
    return { status: 405, reason: `method ${method ?? '?'} not allowed: events are POSTed` };
  }
  const encoding = String(headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    return { status: 415, reason: `content-encoding ${encoding.slice(0, 40)} not accepted` };
  }
  const length = Number(headers['content-length'] ?? 0);
  if (length > MAX_BODY_BYTES) return tooLarge();
  return undefined;
}

export function tooLarge(): Refusal {
  return { status: 413, reason: `body over ${MAX_BODY_BYTES} bytes` };
}

/** What the framework's body parsers would have made of the body: the value to hand on. */
export type BodyVerdict = { body: unknown } | Refusal;

/** Decides on a whole body (at most MAX_BODY_BYTES). */
export function judgeBody(headers: Headers, bytes: Buffer): BodyVerdict {
  const binary = isBinaryCloudEvent(headers);
  const { type, charset } = mediaType(headers);
  const json = JSON_TYPES.has(type);
  if (bytes.length === 0) {
    return binary ? { body: undefined } : { status: 400, reason: 'empty body: not a CloudEvent' };
  }
  // A binary CloudEvent's data in another format: the pipeline refuses it as an event.
  if (!json) {
    return binary
      ? { body: bytes }
      : { status: 415, reason: `content type ${type.slice(0, 80) || 'none'} is not JSON` };
  }
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    return { status: 415, reason: `charset ${charset.slice(0, 40)} is not UTF-8` };
  }
  if (jsonNestsDeeper(bytes, MAX_JSON_DEPTH)) {
    return { status: 400, reason: `JSON body nests deeper than ${MAX_JSON_DEPTH} levels` };
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) return { status: 400, reason: 'body is not UTF-8' };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.slice(0, 120) : '';
    return { status: 400, reason: `body is not JSON: ${detail}` };
  }
  // Structured events, Pub/Sub push bodies and legacy events are all JSON objects.
  if (!binary && (body === null || typeof body !== 'object' || Array.isArray(body))) {
    return { status: 400, reason: 'JSON body is not an object: not a CloudEvent' };
  }
  // The framework's legacy-event conversion reads `context` unchecked: a TypeError (a 500).
  const context = binary ? undefined : Object.getOwnPropertyDescriptor(body, 'context');
  if (context && !isPlainObject(context.value)) {
    return { status: 400, reason: 'not a CloudEvent: its context is not an object' };
  }
  return { body };
}

function isPlainObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
