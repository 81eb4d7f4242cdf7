/**
 * Operator settings read from the environment, checked once at start with errors that name
 * the variable. Rules live in the rules file; these are about the runtime.
 */
import type { RetryOptions } from './gcp/bigquery/retry';

export interface Settings {
  /** In-process retry budget per BigQuery or Cloud Storage call. */
  retry: RetryOptions;
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
  return { retry };
}
