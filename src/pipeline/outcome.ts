/**
 * How an event's one outcome line is written, shared by the handler and the paths it
 * delegates to (requests, inline data, sweeps), so "retry" means the same everywhere.
 */
import { RetryableError } from '../errors';
import type { LogFields } from '../log';

/** Writes the event's outcome line (the handler binds event id, type and trace). */
export type Done = (
  severity: 'INFO' | 'WARNING' | 'ERROR',
  message: string,
  fields: LogFields,
) => void;

/**
 * Logs the `retry` outcome of an error that will be thrown back to the trigger. A
 * RetryableError spent its in-process budget (WARNING); anything else is unexpected (ERROR)
 * and is redelivered without in-process retries.
 */
export function logRedelivery(done: Done, error: unknown, fields: LogFields): void {
  const reason = error instanceof Error ? error.message : String(error);
  const retryable = error instanceof RetryableError;
  done(retryable ? 'WARNING' : 'ERROR', `will be redelivered: ${reason}`, {
    ...fields,
    outcome: 'retry',
    reason: retryable ? reason : `unexpected error: ${reason}`,
  });
}
