/**
 * BigQuery-shaped errors. Google APIs answer failures as
 * `{error: {code, message, status, errors: [{reason, message, domain}]}}` and jobs carry
 * `status.errorResult` / `status.errors` as `ErrorProto`s.
 * https://cloud.google.com/bigquery/docs/error-messages
 */

/** BigQuery `ErrorProto`. https://cloud.google.com/bigquery/docs/reference/rest/v2/ErrorProto */
export interface ErrorProto {
  reason: string;
  message: string;
  location?: string;
}

/** An HTTP-level API failure (or a job failure, when thrown by a load). */
export class BigQueryApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BigQueryApiError';
  }

  toErrorProto(): ErrorProto {
    return { reason: this.reason, message: this.message };
  }
}

/** Shortcut for the most common refusal: a 400 `invalid`. */
export function invalid(message: string): BigQueryApiError {
  return new BigQueryApiError(400, 'invalid', message);
}

export function notSupported(what: string): BigQueryApiError {
  return invalid(`${what} is not supported by the local BigQuery server`);
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The reason BigQuery most often gives with an HTTP status (used by injected faults). */
const DEFAULT_REASONS: Record<number, string> = {
  400: 'invalid',
  403: 'accessDenied',
  404: 'notFound',
  409: 'duplicate',
  429: 'rateLimitExceeded',
  500: 'internalError',
  502: 'badGateway',
  503: 'backendError',
};

export function defaultReason(status: number): string {
  return DEFAULT_REASONS[status] ?? (status >= 500 ? 'backendError' : 'invalid');
}

/** The JSON body Google APIs send with an error status. */
export function errorBody(status: number, reason: string, message: string): unknown {
  return {
    error: {
      code: status,
      message,
      status: STATUS_NAMES[status] ?? 'UNKNOWN',
      errors: [{ reason, message, domain: 'global' }],
    },
  };
}

/** A query BigQuery would refuse (`invalidQuery`): a job failure, or a 400 for a dry run. */
export function invalidQuery(message: string): BigQueryApiError {
  return new BigQueryApiError(400, 'invalidQuery', message);
}

/**
 * A GoogleSQL construct outside the subset the local server translates (dev/bigquery/sql/):
 * refused by name rather than run with a silently different meaning.
 */
export function refusedConstruct(construct: string): BigQueryApiError {
  return invalidQuery(
    `${construct} is not supported by the local BigQuery server (bq-autoloader's local stack)`,
  );
}
