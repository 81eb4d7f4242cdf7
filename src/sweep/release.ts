/**
 * A sweep's jobs.insert that failed. When the job is known not to exist, the claims the
 * sweep wrote for it are released at once (each cleared under the metageneration of the
 * claim, so a marker written since is never touched): the next tick claims those objects
 * again instead of waiting out the claim grace period. Known not to exist means BigQuery
 * refused the insert (HTTP 4xx other than 409), or, after a timeout or a 5xx that outlasted
 * the retries, jobs.get answers 404. A 409 (a job under the id that is not this load) and
 * anything unanswered leave the job's fate open: the claims stay for recovery.
 */
import { PermanentError, RetryableError } from '../errors';
import type { LoadPlan } from '../types';
import type { SweepRun } from './context';
import { clearAll, markAll } from './marks';
import type { SweepMember } from './members';
import type { SweepJob } from './summary';

/** A refusal that BigQuery gave before creating anything. */
export function refusedBeforeCreation(error: PermanentError): boolean {
  const status = error.status ?? 0;
  return status >= 400 && status < 500 && status !== 409;
}

export async function afterFailedInsert(
  run: SweepRun,
  plan: LoadPlan,
  job: SweepJob,
  members: SweepMember[],
  error: PermanentError | RetryableError,
): Promise<void> {
  const reason = error.message;
  if (error instanceof PermanentError) {
    if (refusedBeforeCreation(error)) {
      run.summary.released += await clearAll(run, members);
      run.record({ ...job, outcome: 'refused', reason });
      return;
    }
    // The id is taken by a job that is not this load, or the answer says nothing certain:
    // the members are marked failed, with the reason in the log line.
    run.record({ ...job, outcome: 'refused', reason });
    await markAll(run, members, plan.jobId, 'failed');
    return;
  }
  // A timeout or 5xx after the retries: the insert may have created the job. Asked once.
  let absent = false;
  try {
    absent = (await run.deps.findJob(plan.projectId, plan.jobId, plan.location)) === undefined;
  } catch {
    // BigQuery still unreachable: the claims stay, and recovery settles them later.
  }
  if (absent) run.summary.released += await clearAll(run, members);
  run.record({ ...job, outcome: 'retry', reason });
  // BigQuery failing stops the run (the next tick continues where it stopped).
  throw new RetryableError(reason);
}
