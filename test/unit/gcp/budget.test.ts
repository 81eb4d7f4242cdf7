/** One retry budget per event: every call made for the event draws on the same deadline. */
import { RetryableError } from '../../../src/errors';
import { eventDeadline, withEventBudget, withoutEventBudget } from '../../../src/gcp/budget';
import { withRetry } from '../../../src/gcp/retry';

const FAST = { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 1_000 };

/** A call that always fails transiently; counts its attempts. */
function failingCall() {
  let attempts = 0;
  return {
    attempts: () => attempts,
    run: (options = FAST) =>
      withRetry(async () => {
        attempts += 1;
        throw new RetryableError('HTTP 503');
      }, options),
  };
}

describe('withEventBudget', () => {
  it('has no deadline outside an event', () => {
    expect(eventDeadline()).toBeUndefined();
  });

  it('gives every call in the event the same deadline, even across awaits', async () => {
    const seen: (number | undefined)[] = [];
    await withEventBudget(5_000, async () => {
      seen.push(eventDeadline());
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(eventDeadline());
      await withRetry(async ({ deadline }) => {
        seen.push(deadline);
      });
    });
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]).toEqual(expect.any(Number));
  });

  it('lets two calls share one budget: the second only has what the first left', async () => {
    const first = failingCall();
    const second = failingCall();
    const errors: unknown[] = [];
    await withEventBudget(150, async () => {
      // Each call alone would have 20 s; the event has 150 ms for both.
      errors.push(await first.run().catch((e: unknown) => e));
      errors.push(await second.run().catch((e: unknown) => e));
    });

    expect(errors.map((e) => e instanceof RetryableError)).toEqual([true, true]);
    expect(first.attempts()).toBeGreaterThan(1);
    // The budget was spent by the first call: the second gets its one attempt, no retries.
    expect(second.attempts()).toBe(1);
  });

  it("ends a call at the earlier of its own budget and its event's", async () => {
    const deadlines: number[] = [];
    const deadlineOf = (budgetMs: number) =>
      withRetry(async ({ deadline }) => deadlines.push(deadline), { budgetMs });
    const started = Date.now();
    await withEventBudget(60_000, async () => {
      await deadlineOf(50);
      await deadlineOf(600_000);
    });
    const [own, event] = deadlines.map((d) => d - started);
    expect(own).toBeLessThan(60_000);
    expect(event).toBeGreaterThanOrEqual(60_000);
    expect(event).toBeLessThan(600_000);
  });

  it('gives a call outside any event a fresh budget of its own', async () => {
    const call = failingCall();
    await withEventBudget(0, () =>
      withoutEventBudget(() => call.run({ ...FAST, maxAttempts: 3 })).catch(() => undefined),
    );
    expect(call.attempts()).toBe(3);
  });

  it('refuses a budget that is not a number of milliseconds, naming it', () => {
    expect(() => withEventBudget(-1, async () => undefined)).toThrow(/budgetMs/);
    expect(() => withEventBudget(Number.NaN, async () => undefined)).toThrow(/budgetMs/);
  });
});
