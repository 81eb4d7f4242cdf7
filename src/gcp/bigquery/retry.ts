/**
 * The whole in-process retry policy, in one place: exponential backoff with full jitter
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/) inside a
 * bounded total budget. Only a RetryableError is retried; a PermanentError or any unknown
 * error is rethrown at once. When the budget is spent, the last RetryableError is thrown:
 * the handler lets the trigger redeliver, which is the retry beyond this budget.
 */
import { backOff } from 'exponential-backoff';
import { RetryableError } from '../../errors';

export interface RetryOptions {
  /** Total time for all attempts and waits, in ms. Default 20 000. */
  budgetMs?: number;
  /** Upper bound of the first wait, in ms. Default 250. */
  initialDelayMs?: number;
  /** Upper bound of any one wait, in ms. Default 8 000. */
  maxDelayMs?: number;
  /** Attempts in all, the first included. Default 8. */
  maxAttempts?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  budgetMs: 20_000,
  initialDelayMs: 250,
  maxDelayMs: 8_000,
  maxAttempts: 8,
};

/** Called before each wait; lets callers log attempts without owning the policy. */
export type OnRetry = (error: RetryableError, attempt: number, waitMs: number) => void;

/** Options are checked before any work, with errors that name the option. */
export function retryPolicy(options: RetryOptions = {}): Required<RetryOptions> {
  const policy = { ...DEFAULT_RETRY, ...definedOnly(options) };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`retry.${name} must be a finite number >= 0`);
    }
  }
  if (policy.maxAttempts < 1) throw new RangeError('retry.maxAttempts must be >= 1');
  return policy;
}

export async function withRetry<T>(
  attempt: () => Promise<T>,
  options: RetryOptions = {},
  onRetry?: OnRetry,
): Promise<T> {
  const policy = retryPolicy(options);
  const deadline = Date.now() + policy.budgetMs;
  return backOff(attempt, {
    numOfAttempts: policy.maxAttempts,
    // exponential-backoff computes the wait itself but cannot clip it to a deadline, so its
    // own delay is off and the `retry` hook below waits instead: full jitter, clipped to
    // the budget that remains.
    startingDelay: 0,
    jitter: 'none',
    retry: async (error: unknown, nextAttempt: number) => {
      if (!(error instanceof RetryableError)) return false;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (nextAttempt - 1));
      const wait = Math.min(Math.random() * ceiling, remaining);
      onRetry?.(error, nextAttempt, Math.round(wait));
      await sleep(wait);
      return true;
    },
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function definedOnly(options: RetryOptions): RetryOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
