/**
 * A sweep's jobs.insert that failed. Only when BigQuery answered with a refusal — HTTP 4xx
 * other than 409, so no job was created — are the members' claims released at once (each
 * cleared under the metageneration the sweep wrote or listed, so a marker written since is
 * never touched): the next tick claims those objects again instead of waiting out the claim
 * grace period. A timeout or a 5xx that outlasted the retries proves nothing: the insert may
 * still be in flight, so even a jobs.get 404 right after it does not mean the job will never
 * exist, and a new claim would go under a new batch id (the run token is in it) — two jobs
 * loading the same rows. Those claims stay for recovery, which submits again under the same
 * job id (a 409 if the first insert landed after all). A 409 (a job under the id that is not
 * this load) marks the members failed.
 */
import { PermanentError, RetryableError } from '../errors';
import type { LoadPlan } from '../types';
import type { SweepRun } from './context';
import { clearAll, markAll } from './marks';
import type { SweepMember } from './members';
import type { SweepJob } from './summary';

/** A refusal that BigQuery gave before creating anything. */
function refusedBeforeCreation(error: PermanentError): boolean {
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
  // A timeout or 5xx after the retries: the insert may still create the job. The claims
  // stay; recovery resubmits them under this same id once they are older than the grace.
  run.record({ ...job, outcome: 'retry', reason });
  // BigQuery failing stops the run (the next tick continues where it stopped).
  throw new RetryableError(reason);
}
