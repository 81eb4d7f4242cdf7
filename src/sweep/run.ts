/**
 * One sweep: stream the selected routes' listings page by page, cutting batch chunks as the
 * names go by and submitting each as soon as it is full, then, within the per-table job
 * budget, (1) recover claims whose sweep died before its job existed, (2) submit the chunks
 * still open, (3) catch up per-object objects whose event never came. docs/sweeps.md:
 * Scheduled sweeps has the state diagram; the invariant is that an object carries at most one job id,
 * set by a compare-and-set marker write, and a job is only ever submitted with exactly the
 * objects that carry its id.
 */
import { PermanentError, RetryableError } from '../errors';
import { DEFAULT_MIN_AGE_SECONDS } from '../events/sweep-command';
import type { ListedObject } from '../gcp/storage/listing';
import { routeAccepts } from '../routing/request-plan';
import type { SweepCommand } from '../types';
import { type Collector, createCollector } from './collect';
import { type SweepDeps, type SweepRun, startRun } from './context';
import { type BucketLeases, bucketLeases } from './leases';
import { catchUpObject, recoverClaim, submitChunk } from './submit';
import type { SweepSummary } from './summary';
import { expandTargets, selectRoutes } from './targets';

export { DEFAULT_CLAIM_GRACE_SECONDS, type SweepDeps } from './context';
export { SweepCommandError } from './targets';

/** Catch-up looks back 3 days by default: well inside the time BigQuery keeps job ids. */
export const DEFAULT_CATCH_UP_WINDOW_SECONDS = 3 * 86_400;
/** Per-object catch-up loads in one run (each is one jobs.insert). */
export const MAX_CATCH_UP_PER_RUN = 1000;

export async function runSweep(
  deps: SweepDeps,
  command: Partial<SweepCommand> = {},
): Promise<SweepSummary> {
  // Routes that take no object events have nothing for a sweep to list.
  const routes = selectRoutes(deps.rules, command.routes).filter((r) => routeAccepts(r, 'object'));
  const run = startRun(deps, routes, command.dryRun ?? false, command.token);
  run.summary.token = run.token;
  const leases = bucketLeases(run);
  const collector = createCollector(run, {
    minAgeMs: (command.minAgeSeconds ?? DEFAULT_MIN_AGE_SECONDS) * 1000,
    maxAgeMs: (command.maxAgeSeconds ?? DEFAULT_CATCH_UP_WINDOW_SECONDS) * 1000,
    maxCatchUp: MAX_CATCH_UP_PER_RUN,
  });
  // Cloud Storage or BigQuery failing stops the run: for a while (retryable) or for good
  // (permanent: a 403 on a claim; a listing or a bucket lease refused for good only skips
  // its prefix or bucket). Either way the summary says why and the command is acknowledged;
  // redelivering it would only fail again in a loop. Claims made so far are recovered by
  // the next sweep after the grace period; nothing is lost or loaded twice.
  try {
    await listAndSubmit(run, collector, leases);
    await recoverClaims(run, collector);
    for (const chunk of collector.rest()) await submitChunk(run, chunk);
    for (const missed of collector.catchUp) await catchUpObject(run, missed);
  } catch (error) {
    if (!(error instanceof RetryableError || error instanceof PermanentError)) throw error;
    run.summary.error = error.message;
  } finally {
    await leases.releaseAll();
  }
  run.progress();
  return run.summary;
}

/** Lists every target page by page; a chunk that fills up is submitted before the next object. */
async function listAndSubmit(
  run: SweepRun,
  collector: Collector,
  leases: BucketLeases,
): Promise<void> {
  for await (const { bucket, prefix } of expandTargets(run.deps.lister, run.routes)) {
    if (await leases.mayList(bucket)) await listPrefix(run, collector, bucket, prefix);
  }
}

/**
 * One prefix. A listing Cloud Storage refuses for good (a 403 on one bucket, a bucket that
 * no longer exists) skips that prefix, reported, and the sweep goes on with the others; a
 * retryable failure still stops the run.
 */
async function listPrefix(
  run: SweepRun,
  collector: Collector,
  bucket: string,
  prefix: string,
): Promise<void> {
  const pages = run.deps.lister.listObjects(bucket, prefix);
  for (;;) {
    let next: IteratorResult<ListedObject[]>;
    try {
      next = await pages.next();
    } catch (error) {
      if (!(error instanceof PermanentError)) throw error;
      run.summary.skipped = [...(run.summary.skipped ?? []), error.message];
      return;
    }
    if (next.done) return;
    for (const object of next.value) {
      const sealed = collector.add(object);
      if (sealed) await submitChunk(run, sealed);
    }
    run.progress();
  }
}

/** Claims in a stable order; young ones belong to a sweep that may still be running. */
async function recoverClaims(run: SweepRun, collector: Collector): Promise<void> {
  const claims = [...collector.claims.values()].sort((a, b) =>
    a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0,
  );
  for (const claim of claims) {
    if (run.now - claim.claimedAt >= run.graceMs) {
      await recoverClaim(run, claim);
      continue;
    }
    run.summary.claimsInFlight += claim.members.length;
    if (claim.reserved) {
      run.budget.give(claim.group.table, run.perRun(claim.group.target.route));
    }
  }
}
