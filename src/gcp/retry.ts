/**
 * The whole in-process retry policy, in one readable function: exponential backoff with full
 * jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), each
 * wait capped, inside a deadline. Only a RetryableError is retried; a PermanentError or any
 * unknown error is rethrown at once. When the deadline passes, the last RetryableError is
 * thrown: the trigger redelivers the event, which is the retry beyond this budget.
 *
 * The deadline is the earlier of the call's own budget and its event's (budget.ts): every
 * call made for one event shares that event's budget, and each request's timeout is clipped
 * to what remains of it (attemptTimeout).
 */
import { RetryableError } from '../errors';
import { eventDeadline } from './budget';

export interface RetryOptions {
  /** Time for all attempts and waits of one call, in ms; an event's budget may end it sooner. Default 20 000. */
  budgetMs?: number;
  /** Upper bound of the first wait, in ms. Default 250. */
  initialDelayMs?: number;
  /** Upper bound of any one wait, in ms. Default 8 000. */
  maxDelayMs?: number;
  /** Attempts in all, the first included. Default 8. */
  maxAttempts?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = {
  budgetMs: 20_000,
  initialDelayMs: 250,
  maxDelayMs: 8_000,
  maxAttempts: 8,
};

/**
 * A request started after its budget is spent still gets this long: a call is never refused
 * untried, so a late step of an event (a marker after a slow insert) can still succeed.
 */
export const MIN_ATTEMPT_TIMEOUT_MS = 2_000;

/** What an attempt knows: its number (1 = the first) and the deadline it runs under. */
export interface Attempt {
  number: number;
  deadline: number;
}

/** Called before each wait; lets callers log attempts without owning the policy. */
export type OnRetry = (error: RetryableError, attempt: number, waitMs: number) => void;

/** Options are checked before any work, with errors that name the option. */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY };
  for (const key of Object.keys(DEFAULT_RETRY) as (keyof RetryPolicy)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`retry.${key} must be a finite number >= 0, got ${value}`);
    }
    policy[key] = value;
  }
  if (policy.maxAttempts < 1) throw new RangeError('retry.maxAttempts must be >= 1');
  return policy;
}

export async function withRetry<T>(
  attempt: (context: Attempt) => Promise<T>,
  options: RetryOptions = {},
  onRetry?: OnRetry,
): Promise<T> {
  const policy = retryPolicy(options);
  const deadline = Math.min(eventDeadline() ?? Infinity, Date.now() + policy.budgetMs);
  for (let number = 1; ; number += 1) {
    try {
      return await attempt({ number, deadline });
    } catch (error) {
      if (!(error instanceof RetryableError) || number >= policy.maxAttempts) throw error;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (number - 1));
      const wait = Math.min(Math.random() * ceiling, remaining);
      onRetry?.(error, number, Math.round(wait));
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** A request's timeout: its own, clipped to what remains before `deadline` (see the floor above). */
export function attemptTimeout(timeoutMs: number, deadline: number | undefined): number {
  if (deadline === undefined) return timeoutMs;
  return Math.min(timeoutMs, Math.max(MIN_ATTEMPT_TIMEOUT_MS, deadline - Date.now()));
}
