/**
 * Operator settings read from the environment, checked once at start with errors that name
 * the variable. Rules live in the rules file; these are about the runtime.
 */
import type { RetryOptions } from './gcp/bigquery/retry';

export interface Settings {
  /** In-process retry budget per BigQuery or Cloud Storage call. */
  retry: RetryOptions;
  /** Claim each object generation with a marker before its insert (default on). */
  markers: boolean;
}

/**
 * `AUTOLOADER_RETRY_BUDGET_MS`: how long one call to BigQuery or Cloud Storage may spend
 * retrying transient failures before the event is thrown back to the trigger for
 * redelivery (default 20 000 ms). An event makes one to three such calls, and each attempt
 * may also wait for its own request timeout: keep the budget well under a third of the
 * function's timeout.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const retry: RetryOptions = {};
  const budget = env.AUTOLOADER_RETRY_BUDGET_MS;
  if (budget !== undefined && budget !== '') {
    const value = Number(budget);
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(
        `AUTOLOADER_RETRY_BUDGET_MS must be a whole number of milliseconds >= 0, got "${budget}"`,
      );
    }
    retry.budgetMs = value;
  }
  return { retry, markers: readMarkers(env.AUTOLOADER_MARKERS) };
}

/**
 * `AUTOLOADER_MARKERS=off` skips the claim before each insert: one request per event
 * instead of two, but no check that the event's generation is still the live one (an old
 * event arriving after an overwrite loads the newer bytes) and no record on the object. Only
 * for buckets whose objects are never overwritten. Default `on`.
 */
function readMarkers(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`AUTOLOADER_MARKERS must be "on" or "off", got "${value}"`);
}
