/**
 * The writing half of a sweep: claim a chunk and submit its job, recover an abandoned claim,
 * load one missed object — each recorded in the run's summary. A BigQuery failure that is
 * worth retrying stops the run (RetryableError): the next sweep continues where it stopped.
 */
import { gsUri } from '../core/gs-uri';
import { batchJobId } from '../core/job-id';
import { mapLimit } from '../core/pool';
import { PermanentError, RetryableError } from '../errors';
import { markerOf } from '../gcp/storage/markers';
import { planBatchLoad } from '../routing/batch-plan';
import { jobMismatch, targetMismatch } from '../routing/job-match';
import { planObjectLoad } from '../routing/plan';
import type { LoadPlan } from '../types';
import { quotaTable } from './budget';
import type { Chunk } from './chunks';
import type { CatchUp, ClaimedJob } from './collect';
import type { SweepRun } from './context';
import { describeJob, headOf, jobSources } from './describe';
import { clearAll, MARKER_CONCURRENCY, markAll } from './marks';
import type { SweepMember } from './members';
import { afterFailedInsert } from './release';

/** A new batch: within the table's budget, claim every member, then submit the claimed. */
export async function submitChunk(run: SweepRun, { group, members }: Chunk): Promise<void> {
  if (!run.budget.take(group.table, run.perRun(group.target.route))) {
    run.summary.deferred += members.length;
    return;
  }
  run.summary.planned += 1;
  const jobId = batchJobId(group.target.route, members, run.runToken);
  const { route, load } = group.target;
  const head = { route, jobId, destinationTable: load.destinationTable };
  // A dry run reports the job without building it: no list of every member's URI.
  if (run.dryRun) {
    run.record({ ...describeJob('batch', head, members), outcome: 'planned' });
    return;
  }
  // Claim: a compare-and-set on each member's metageneration; a member another sweep
  // claimed first (412) or that was overwritten (404) is simply not ours.
  const claimed: SweepMember[] = [];
  await mapLimit(members, MARKER_CONCURRENCY, async (m) => {
    const result = await run.deps.markers.write(m, { jobId, state: 'claimed' });
    if (result.kind === 'written') claimed.push({ ...m, metageneration: result.metageneration });
    else run.summary.claimConflicts += 1;
  });
  if (claimed.length === 0) {
    run.record({ ...describeJob('batch', head, members), outcome: 'not-claimed' });
    return;
  }
  // The job holds exactly the objects that carry its id, as recovery would rebuild it.
  const plan = planBatchLoad(group.target, claimed, jobId);
  await insertAndMark(run, plan, describeJob('batch', head, claimed), claimed);
}

/** A claim whose sweep died between claim and submit: find its job, or submit it again. */
export async function recoverClaim(run: SweepRun, claim: ClaimedJob): Promise<void> {
  const { group, members, jobId } = claim;
  const budgetArgs = [group.table, run.perRun(group.target.route)] as const;
  const plan = planBatchLoad(group.target, members, jobId);
  const job = describeJob('recovery', headOf(plan), members);
  run.summary.planned += 1;
  if (run.dryRun) {
    run.record({ ...job, outcome: 'planned' });
    return;
  }
  const existing = await run.deps.findJob(plan.projectId, plan.jobId, plan.location);
  if (existing !== undefined) {
    if (claim.reserved) run.budget.give(...budgetArgs);
    const mismatch = targetMismatch(existing, plan);
    if (mismatch) {
      // Not this sweep's job (a decoy under its id): nothing is marked; the claim stays.
      run.record({ ...job, outcome: 'refused', reason: mismatch });
      return;
    }
    // A member whose claim landed but whose answer was lost carries the id without being
    // in the job: its claim is cleared (a later sweep loads it), never marked submitted.
    const held = jobSources(existing);
    const inJob = (m: SweepMember) => !held || held.has(gsUri(m));
    await markAll(run, members.filter(inJob), jobId, 'submitted');
    await clearAll(
      run,
      members.filter((m) => !inJob(m)),
    );
    run.record({ ...job, outcome: 'exists' });
    return;
  }
  // A resubmission is a new job for the quota too; over budget, the claim simply waits for
  // the next run (it stays recoverable: same members, same id).
  if (!claim.reserved && !run.budget.take(...budgetArgs)) {
    run.summary.deferred += members.length;
    return;
  }
  await insertAndMark(run, plan, job, members);
}

/**
 * A per-object route's object whose event never came (no marker), or whose event claimed it
 * longer ago than the grace period: its own job, as the event's, claimed first like the
 * event path does (the claim proves the listed generation is still the live one).
 */
export async function catchUpObject(run: SweepRun, { object }: CatchUp): Promise<void> {
  const decision = planObjectLoad(run.routing, object, {
    runtimeProject: run.deps.runtimeProject,
  });
  if (decision.kind !== 'load') return;
  const { plan } = decision;
  const member: SweepMember = { ...object, metageneration: object.metageneration };
  const job = describeJob('catch-up', headOf(plan), [member]);
  if (!run.dryRun && markerOf(object.metadata)?.jobId === plan.jobId) {
    // The event path writes nothing after its insert, so an old claim usually has its job:
    // asked once, and marked submitted for reconciliation instead of inserted again.
    const existing = await run.deps.findJob(plan.projectId, plan.jobId, plan.location);
    if (existing !== undefined) {
      const mismatch = jobMismatch(existing, plan);
      if (mismatch) {
        // A job under its id that is not this load (a decoy): the claim is left as it is.
        run.record({ ...job, outcome: 'refused', reason: mismatch });
        return;
      }
      await markAll(run, [member], plan.jobId, 'submitted');
      run.record({ ...job, outcome: 'exists' });
      return;
    }
  }
  // Catch-up loads count against the table's daily quota like any other job.
  if (
    !run.budget.take(
      quotaTable(plan.job.configuration.load.destinationTable),
      run.perRun(plan.route),
    )
  ) {
    run.summary.deferred += 1;
    return;
  }
  run.summary.planned += 1;
  if (run.dryRun) {
    run.record({ ...job, outcome: 'planned' });
    return;
  }
  const claim = await run.deps.markers.write(member, { jobId: plan.jobId, state: 'claimed' });
  if (claim.kind !== 'written') {
    // Changed since the listing (its event arrived, or it was overwritten): not ours now.
    run.summary.claimConflicts += 1;
    run.record({ ...job, outcome: 'not-claimed' });
    return;
  }
  // BigQuery failing stops the run here too, rather than spend every remaining insert's
  // retry budget (up to MAX_CATCH_UP_PER_RUN of them) in one run.
  await insertAndMark(run, plan, job, [{ ...member, metageneration: claim.metageneration }]);
}

async function insertAndMark(
  run: SweepRun,
  plan: LoadPlan,
  job: ReturnType<typeof describeJob>,
  members: SweepMember[],
): Promise<void> {
  let outcome: 'submitted' | 'duplicate';
  try {
    outcome = (await run.deps.insertJob(plan)).outcome;
  } catch (error) {
    if (!(error instanceof PermanentError || error instanceof RetryableError)) throw error;
    await afterFailedInsert(run, plan, job, members, error);
    return;
  }
  run.record({ ...job, outcome });
  await markAll(run, members, plan.jobId, 'submitted');
}
