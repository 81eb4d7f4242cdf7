import { mapLimit } from '../../../src/core/pool';

describe('mapLimit', () => {
  it('keeps at most `limit` calls in flight and answers in input order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, n));
      inFlight -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('starts nothing new after a failure, lets the calls in flight finish, then throws it', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapLimit([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 1) throw new Error('first failed');
      await new Promise((resolve) => setTimeout(resolve, 5));
      finished.push(n);
    });
    await expect(run).rejects.toThrow('first failed');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });
});
