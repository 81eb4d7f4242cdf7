/**
 * Operator settings read from the environment, checked once at start with errors that name
 * the variable. Rules live in the rules file; these are about the runtime.
 */
import type { RetryOptions } from './gcp/retry';

export interface Settings {
  /** The retry policy of every Google call; `budgetMs` is AUTOLOADER_RETRY_BUDGET_MS. */
  retry: RetryOptions;
  /** How long one event may spend retrying, in ms (withEventBudget, src/gcp/budget.ts). */
  retryBudgetMs: number;
  /** Claim each object generation with a marker before its insert (default on). */
  markers: boolean;
}

export const DEFAULT_RETRY_BUDGET_MS = 20_000;

/**
 * `AUTOLOADER_RETRY_BUDGET_MS`: how long one event may spend retrying transient failures of
 * BigQuery, Cloud Storage and Pub/Sub, all its calls together, before it is thrown back to
 * the trigger for redelivery (default 20 000 ms). Each request's timeout is clipped to what
 * remains of it. Outside an event (CLI commands, sweeps) each call gets this budget.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  let budget = DEFAULT_RETRY_BUDGET_MS;
  const text = env.AUTOLOADER_RETRY_BUDGET_MS;
  if (text !== undefined && text !== '') {
    budget = Number(text);
    if (!Number.isInteger(budget) || budget < 0) {
      throw new Error(
        `AUTOLOADER_RETRY_BUDGET_MS must be a whole number of milliseconds >= 0, got "${text}"`,
      );
    }
  }
  return {
    retry: { budgetMs: budget },
    retryBudgetMs: budget,
    markers: readMarkers(env.AUTOLOADER_MARKERS),
  };
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
