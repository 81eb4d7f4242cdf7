import { PermanentError, RetryableError } from '../../../src/errors';
import { waitForJob } from '../../../src/outcomes/wait';

const DONE = { status: { state: 'DONE' }, statistics: { load: { outputRows: '1' } } };
const RUNNING = { status: { state: 'RUNNING' } };

/** A fake clock: sleeping advances it, and every pause is recorded. */
function clock() {
  let t = 0;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => t,
    sleep: async (ms: number) => {
      pauses.push(ms);
      t += ms;
    },
  };
}

describe('waitForJob', () => {
  it('returns at once when the insert answer is already DONE', async () => {
    const c = clock();
    const getJob = jest.fn();
    const result = await waitForJob(getJob, { timeoutMs: 1000, ...c }, DONE);
    expect(result.state).toBe('loaded');
    expect(getJob).not.toHaveBeenCalled();
  });

  it('polls with doubling pauses, capped, until the job is DONE', async () => {
    const c = clock();
    const answers = [RUNNING, RUNNING, RUNNING, RUNNING, DONE];
    const getJob = jest.fn(async () => answers.shift());
    const result = await waitForJob(
      getJob,
      { timeoutMs: 60_000, initialDelayMs: 100, maxDelayMs: 500, ...c },
      RUNNING,
    );
    expect(result).toEqual({ state: 'loaded', rows: '1', errors: [] });
    expect(c.pauses).toEqual([100, 200, 400, 500, 500]);
  });

  it('gives up at the deadline with the job still running, the last pause clipped', async () => {
    const c = clock();
    const getJob = jest.fn(async () => RUNNING);
    const result = await waitForJob(getJob, { timeoutMs: 1000, initialDelayMs: 300, ...c });
    expect(result).toEqual({ state: 'running' });
    expect(c.pauses).toEqual([300, 600, 100]);
  });

  it('stops waiting (job left running) when jobs.get keeps failing retryably', async () => {
    const c = clock();
    const getJob = jest.fn(async () => {
      throw new RetryableError('backendError');
    });
    expect(await waitForJob(getJob, { timeoutMs: 1000, ...c })).toEqual({ state: 'running' });
  });

  it('throws a permanent jobs.get failure', async () => {
    const c = clock();
    const getJob = jest.fn(async () => {
      throw new PermanentError('accessDenied');
    });
    await expect(waitForJob(getJob, { timeoutMs: 1000, ...c })).rejects.toThrow('accessDenied');
  });
});
