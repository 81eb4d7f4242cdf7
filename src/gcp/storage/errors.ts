/**
 * Cloud Storage failures in the two families the handler decides on (src/gcp/bigquery/errors.ts
 * holds both classes and the shared rules: 429/5xx, rate limits and network errors are
 * retryable, everything else permanent).
 * https://cloud.google.com/storage/docs/json_api/v1/status-codes
 */

import type { PermanentError, RetryableError } from '../../errors';
import { classifyBigQueryError } from '../bigquery/errors';

/** The HTTP status of an @google-cloud/storage ApiError (or a gaxios error), when there is one. */
export function storageStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, status, response } = error as {
    code?: unknown;
    status?: unknown;
    response?: { status?: unknown };
  };
  if (typeof code === 'number') return code;
  if (typeof status === 'number') return status;
  return typeof response?.status === 'number' ? response.status : undefined;
}

/** Classifies a failed call about `what` (`gs://b/o#generation`); undefined when unknown. */
export function classifyStorageError(
  error: unknown,
  what: string,
): RetryableError | PermanentError | undefined {
  const status = storageStatus(error);
  const { errors, message } = error as { errors?: unknown; message?: unknown };
  const body = { error: { message: typeof message === 'string' ? message : undefined, errors } };
  const classified = classifyBigQueryError(status, body, error);
  if (classified) classified.message = `Cloud Storage ${what}: ${classified.message}`;
  return classified;
}
