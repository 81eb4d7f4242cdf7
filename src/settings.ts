/**
 * Operator settings read from the environment, checked once at start with errors that name
 * the variable. Rules live in the rules file; these are about the runtime.
 */
import type { RetryOptions } from './bigquery/retry';

export interface Settings {
  /** In-process retry budget for BigQuery and Cloud Storage calls. */
  retry: RetryOptions;
}

/**
 * `AUTOLOADER_RETRY_BUDGET_MS`: total time one event may spend retrying transient failures
 * before it is thrown back to the trigger for redelivery. Keep it well under the function's
 * timeout (default 20 000 ms).
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
