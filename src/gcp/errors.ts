/**
 * One classification of what Google's APIs answer — BigQuery, Cloud Storage and Pub/Sub
 * alike — and of requests that got no answer, onto the two families of src/errors.ts.
 * https://cloud.google.com/bigquery/docs/error-messages
 * https://cloud.google.com/storage/docs/json_api/v1/status-codes
 * https://cloud.google.com/storage/docs/retry-strategy
 * https://cloud.google.com/pubsub/docs/reference/error-codes
 */
import { PermanentError, RetryableError } from '../errors';
import { ProxyTunnelError } from './proxy';

/**
 * `transient`: the same request may succeed later. `auth`: 401, the token was refused; a
 * fresh one clears it (the edge drops the old one), so it is retried like a transient one —
 * acknowledging would lose the event. `conflict` (409) and `precondition` (412) are answers
 * the caller reads (a duplicate job id, a marker someone else moved); `permanent`: retrying
 * will not help.
 */
export type ErrorKind = 'transient' | 'auth' | 'conflict' | 'precondition' | 'permanent';

/** Reasons worth retrying whatever the status; `rateLimitExceeded` arrives with HTTP 403. */
const TRANSIENT_REASONS = new Set([
  'backendError',
  'internalError',
  'rateLimitExceeded',
  'jobRateLimitExceeded',
  'badGateway',
]);

/**
 * Reasons that retrying will not fix. `quotaExceeded` is the daily quota (e.g. 1,500 loads
 * per table): it does not clear within minutes, so it must not become a retry storm.
 */
const PERMANENT_REASONS = new Set([
  'invalid',
  'invalidQuery',
  'notFound',
  'accessDenied',
  'billingNotEnabled',
  'blocked',
  'quotaExceeded',
  'duplicate',
  'responseTooLarge',
]);

/** 408 and 429 and the 5xx answers of an overloaded or restarting backend. */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Node codes of a connection that failed or dropped before an answer arrived. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'TimeoutError',
]);

/** The kind of an HTTP answer that is not a success. */
export function errorKind(status: number, reason: string | undefined): ErrorKind {
  if (reason && TRANSIENT_REASONS.has(reason)) return 'transient';
  if (status === 401) return 'auth';
  if (status === 409) return 'conflict';
  if (status === 412) return 'precondition';
  if (reason && PERMANENT_REASONS.has(reason)) return 'permanent';
  return TRANSIENT_STATUSES.has(status) ? 'transient' : 'permanent';
}

/**
 * Classifies a failed call. `status` is the HTTP status (undefined when no answer arrived),
 * `body` the parsed answer (`{error: {code, message, errors: [{reason}]}}`, Pub/Sub's
 * `{error: {code, message, status}}`), `cause` the thrown error. Undefined for a failure
 * that is neither an answer nor a known network error: the caller rethrows it as is.
 */
export function classifyGoogleError(
  status: number | undefined,
  body: unknown,
  cause?: unknown,
): RetryableError | PermanentError | undefined {
  if (cause instanceof ProxyTunnelError) {
    // The egress proxy answered, not Google: a PermanentError would acknowledge the event.
    // A proxy that could not reach Google (502, 503, 504…) is a network failure; one that
    // refuses (403, 407: a deployment mistake) is rethrown as is, so the trigger redelivers.
    return TRANSIENT_STATUSES.has(cause.proxyStatus)
      ? new RetryableError(cause.message, { reason: cause.code, cause })
      : undefined;
  }
  if (status === undefined) {
    const code = networkCode(cause);
    return code ? new RetryableError(`network error: ${code}`, { reason: code, cause }) : undefined;
  }
  const { reason, message } = apiError(body);
  const text = `HTTP ${status}${reason ? ` ${reason}` : ''}: ${message ?? 'no error message'}`;
  const kind = errorKind(status, reason);
  const details = { status, reason, cause };
  return kind === 'transient' || kind === 'auth'
    ? new RetryableError(text, details)
    : new PermanentError(text, details);
}

/** The HTTP status of a classified answer (409, 412, 404…), if `error` is one. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof PermanentError || error instanceof RetryableError
    ? error.status
    : undefined;
}

/** The first error reason and the message of a Google API error body. */
export function apiError(body: unknown): { reason?: string; message?: string } {
  const error = field(body, 'error');
  const errors = field(error, 'errors');
  const first = Array.isArray(errors) ? errors[0] : undefined;
  const reason = stringField(first, 'reason') ?? stringField(error, 'status');
  const message = stringField(error, 'message') ?? stringField(first, 'message');
  return { reason, message };
}

/** The network error code anywhere in a cause chain. */
function networkCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = field(e, 'cause'), depth++) {
    const code = stringField(e, 'code') ?? stringField(e, 'name');
    if (code && NETWORK_CODES.has(code)) return code;
    // Code outside the edge may enforce a timeout by aborting; nothing aborts otherwise.
    if (stringField(e, 'name') === 'AbortError') return 'timeout';
    if (/socket hang up/i.test(stringField(e, 'message') ?? '')) return 'socket hang up';
  }
  return undefined;
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const v = field(value, key);
  return typeof v === 'string' ? v : undefined;
}
