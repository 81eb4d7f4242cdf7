import { PermanentError, RetryableError } from '../../../src/errors';
import {
  attemptTimeout,
  MIN_ATTEMPT_TIMEOUT_MS,
  retryPolicy,
  withRetry,
} from '../../../src/gcp/retry';

const FAST = { initialDelayMs: 1, maxDelayMs: 2 };

function failingTimes(times: number, error: () => Error) {
  let calls = 0;
  const fn = jest.fn(async () => {
    calls += 1;
    if (calls <= times) throw error();
    return 'done';
  });
  return fn;
}

describe('withRetry', () => {
  it('retries a RetryableError until the call succeeds', async () => {
    const fn = failingTimes(3, () => new RetryableError('HTTP 503'));

    await expect(withRetry(fn, FAST)).resolves.toBe('done');
    expect(fn).toHaveBeenCalledTimes(4);
  });

  it.each([
    ['a PermanentError', () => new PermanentError('HTTP 400 invalid')],
    ['an unknown error', () => new TypeError('x is undefined')],
  ])('rethrows %s at once, as is', async (_, make) => {
    const error = make();
    const fn = failingTimes(5, () => error);

    await expect(withRetry(fn, FAST)).rejects.toBe(error);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('gives up after maxAttempts with the last RetryableError', async () => {
    let n = 0;
    const fn = jest.fn(async () => {
      n += 1;
      throw new RetryableError(`attempt ${n}`);
    });

    await expect(withRetry(fn, { ...FAST, maxAttempts: 3 })).rejects.toThrow('attempt 3');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('stops when the total budget is spent, clipping the last wait to what remains', async () => {
    const fn = jest.fn(async () => {
      throw new RetryableError('HTTP 503');
    });
    const started = Date.now();

    await expect(
      withRetry(fn, { budgetMs: 60, initialDelayMs: 1_000, maxDelayMs: 1_000, maxAttempts: 100 }),
    ).rejects.toBeInstanceOf(RetryableError);

    expect(Date.now() - started).toBeLessThan(500);
    expect(fn.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('waits with full jitter below an exponentially growing ceiling', async () => {
    const waits: number[] = [];
    const fn = failingTimes(4, () => new RetryableError('HTTP 503'));
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      await withRetry(fn, { initialDelayMs: 4, maxDelayMs: 10 }, (_, __, wait) => waits.push(wait));
    } finally {
      random.mockRestore();
    }

    expect(waits).toEqual([2, 4, 5, 5]);
  });

  it('tells each attempt its number and the deadline it runs under', async () => {
    const seen: { number: number; deadline: number }[] = [];
    const before = Date.now();
    await withRetry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt.number < 3) throw new RetryableError('HTTP 503');
      },
      { ...FAST, budgetMs: 5_000 },
    );

    expect(seen.map((a) => a.number)).toEqual([1, 2, 3]);
    expect(new Set(seen.map((a) => a.deadline)).size).toBe(1);
    expect(seen[0]?.deadline).toBeGreaterThanOrEqual(before + 5_000);
  });
});

describe('attemptTimeout', () => {
  it('keeps the request timeout when no deadline is near or none is given', () => {
    expect(attemptTimeout(30_000, undefined)).toBe(30_000);
    expect(attemptTimeout(30_000, Date.now() + 60_000)).toBe(30_000);
  });

  it('clips the request timeout to what remains of the deadline', () => {
    const timeout = attemptTimeout(30_000, Date.now() + 10_000);
    expect(timeout).toBeLessThanOrEqual(10_000);
    expect(timeout).toBeGreaterThan(9_000);
  });

  it('still gives a request started after its deadline a short try', () => {
    expect(attemptTimeout(30_000, Date.now() - 1_000)).toBe(MIN_ATTEMPT_TIMEOUT_MS);
    expect(attemptTimeout(100, Date.now() - 1_000)).toBe(100);
  });
});

describe('retryPolicy', () => {
  it('fills in the defaults: a 20 s budget', () => {
    expect(retryPolicy({ maxAttempts: undefined })).toMatchObject({ budgetMs: 20_000 });
  });

  it.each([
    [{ budgetMs: -1 }, 'retry.budgetMs'],
    [{ initialDelayMs: Number.NaN }, 'retry.initialDelayMs'],
    [{ maxAttempts: 0 }, 'retry.maxAttempts'],
    [{ maxDelayMs: Number.POSITIVE_INFINITY }, 'retry.maxDelayMs'],
  ])('refuses %p naming the option', (options, name) => {
    expect(() => retryPolicy(options)).toThrow(name);
  });
});
