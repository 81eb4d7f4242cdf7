import { PermanentError, RetryableError } from '../../../../src/errors';
import { retryPolicy, withRetry } from '../../../../src/gcp/bigquery/retry';

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
});

describe('retryPolicy', () => {
  it('fills in the defaults: a 20 s budget', () => {
    expect(retryPolicy({ maxAttempts: undefined })).toMatchObject({ budgetMs: 20_000 });
  });

  it.each([
    [{ budgetMs: -1 }, 'retry.budgetMs'],
    [{ initialDelayMs: Number.NaN }, 'retry.initialDelayMs'],
    [{ maxAttempts: 0 }, 'retry.maxAttempts'],
  ])('refuses %p naming the option', (options, name) => {
    expect(() => retryPolicy(options)).toThrow(name);
  });
});
