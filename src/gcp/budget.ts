/**
 * The retry budget of one event. The pipeline runs each event inside
 * `withEventBudget(ms, fn)`; every Google call made for that event, however deep, draws on
 * the same deadline (an AsyncLocalStorage carries it, so no signature has to). Outside such
 * a scope — a CLI command, a sweep — each call gets a budget of its own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const deadlines = new AsyncLocalStorage<number | undefined>();

/** Runs `fn` with a deadline `budgetMs` from now for every call it makes. */
export function withEventBudget<T>(budgetMs: number, fn: () => Promise<T>): Promise<T> {
  if (!Number.isFinite(budgetMs) || budgetMs < 0) {
    throw new RangeError(`budgetMs must be a finite number >= 0, got ${budgetMs}`);
  }
  return deadlines.run(Date.now() + budgetMs, fn);
}

/** Runs `fn` outside any event's budget: a sweep started by an event lasts longer than one. */
export function withoutEventBudget<T>(fn: () => Promise<T>): Promise<T> {
  return deadlines.run(undefined, fn);
}

/** The current event's deadline (ms since the epoch), if a call runs inside one. */
export function eventDeadline(): number | undefined {
  return deadlines.getStore();
}
