/**
 * The in-process completion wait (route option `wait`): polls jobs.get with exponential
 * backoff until the job is DONE or the time is up. A job still running at the deadline is
 * left `claimed`: a completion event or a reconciling sweep finishes it later.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/get
 */
import { RetryableError } from '../errors';
import { type JobResult, jobResult } from './job-result';

export interface WaitOptions {
  timeoutMs: number;
  /** First pause between polls. Default 250 ms; doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  /** Default 5 000 ms. */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Resolves with the job's result, `running` when it did not finish in time or jobs.get
 * kept failing retryably (the job exists; waiting is best effort). A permanent jobs.get
 * failure is thrown.
 */
export async function waitForJob(
  getJob: () => Promise<unknown>,
  options: WaitOptions,
  first?: unknown,
): Promise<JobResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const deadline = now() + options.timeoutMs;
  let delay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5_000;
  // The answer of jobs.insert may already be DONE (a fast failure, or a duplicate).
  let result = first === undefined ? ({ state: 'running' } as JobResult) : jobResult(first);
  while (result.state === 'running') {
    const remaining = deadline - now();
    if (remaining <= 0) return result;
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, maxDelay);
    try {
      result = jobResult(await getJob());
    } catch (error) {
      if (error instanceof RetryableError) return { state: 'running' };
      throw error;
    }
  }
  return result;
}
