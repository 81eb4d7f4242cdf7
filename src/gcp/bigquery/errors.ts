/**
 * How BigQuery answers map onto the two error families of src/errors.ts.
 * https://cloud.google.com/bigquery/docs/error-messages
 */
import { PermanentError, RetryableError } from '../../errors';

/** HTTP statuses worth retrying with the same request (and the same job id). */
/**
 * 401 is here too: a token that expired or a metadata server that hiccuped clears on the
 * next attempt (google-auth-library fetches a fresh token); acknowledging would lose data.
 */
const RETRYABLE_STATUSES = new Set([401, 429, 500, 502, 503, 504]);

/** BigQuery reasons worth retrying; `rateLimitExceeded` arrives with HTTP 403. */
const RETRYABLE_REASONS = new Set([
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

/** Node/undici codes of a connection that failed or dropped before an answer arrived. */
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

/**
 * Classifies a failed call. `status` is the HTTP status (undefined when no answer arrived),
 * `body` the parsed answer (`{error: {code, message, errors: [{reason, message}]}}`), `cause`
 * the thrown error. Returns undefined for a failure that is neither an HTTP answer nor a
 * known network error: the caller rethrows it as is.
 */
export function classifyBigQueryError(
  status: number | undefined,
  body: unknown,
  cause?: unknown,
): RetryableError | PermanentError | undefined {
  if (status === undefined) {
    const code = networkCode(cause);
    if (!code) return undefined;
    return new RetryableError(`network error: ${code}`, { reason: code, cause });
  }
  const { reason, message } = apiError(body);
  const text = `HTTP ${status}${reason ? ` ${reason}` : ''}: ${message ?? 'no error message'}`;
  const details = { status, reason, cause };
  if (reason && RETRYABLE_REASONS.has(reason)) return new RetryableError(text, details);
  if (status === 401) return new RetryableError(text, details);
  if (reason && PERMANENT_REASONS.has(reason)) return new PermanentError(text, details);
  if (RETRYABLE_STATUSES.has(status)) return new RetryableError(text, details);
  return new PermanentError(text, details);
}

/**
 * A failed call about one job (gaxios error), classified and prefixed with what was asked;
 * the original error when it cannot be told (unknown failures are not retried in-process).
 */
export function jobCallError(error: unknown, what: string, jobId: string): unknown {
  const response = responseOf(error);
  const classified = classifyBigQueryError(response?.status, parseJsonText(response?.data), error);
  if (!classified) return error;
  classified.message = `${what} ${jobId}: ${classified.message}`;
  classified.jobId = jobId;
  return classified;
}

/** HTTP 409 from jobs.insert with reason `duplicate` (or none given): the id exists. */
export function isDuplicateInsert(error: unknown): boolean {
  if (!(error instanceof PermanentError) || error.status !== 409) return false;
  return error.reason === undefined || error.reason === 'duplicate';
}

/** gaxios puts the answer of a failed call on `error.response`. */
function responseOf(error: unknown): { status?: number; data?: unknown } | undefined {
  const response = field(error, 'response');
  const status = field(response, 'status');
  return typeof status === 'number' ? { status, data: field(response, 'data') } : undefined;
}

/** Bodies arrive parsed (responseType json) or as text (responseType text, e.g. uploads). */
export function parseJsonText(data: unknown): unknown {
  if (typeof data !== 'string' || data === '') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/** The first error reason and the message of a Google API error body. */
export function apiError(body: unknown): { reason?: string; message?: string } {
  const error = field(body, 'error');
  const first = (() => {
    const errors = field(error, 'errors');
    return Array.isArray(errors) ? errors[0] : undefined;
  })();
  const reason = stringField(first, 'reason');
  const message = stringField(error, 'message') ?? stringField(first, 'message');
  return { reason, message };
}

/** The network error code anywhere in a cause chain (gaxios wraps node-fetch wraps Node). */
function networkCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = field(e, 'cause'), depth++) {
    const code = stringField(e, 'code') ?? stringField(e, 'name');
    if (code && NETWORK_CODES.has(code)) return code;
    // gaxios enforces `timeout` by aborting node-fetch; this code never aborts a request
    // otherwise, so an abort is a timed-out request.
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
