/**
 * One sweep: list the selected routes' prefixes page by page, then, within the per-table job
 * budget, (1) recover claims whose sweep died before its job existed, (2) claim and submit
 * new batches, (3) catch up per-object objects whose event never came. README: Scheduled sweeps has
 * the state diagram; the invariant is that an object carries at most one job id, set by a
 * compare-and-set marker write, and a job is only ever submitted with exactly the objects
 * that carry its id.
 */
import { randomBytes } from 'node:crypto';
import { compileGlob } from '../core/glob';
import { PermanentError, RefusedInputError, RetryableError } from '../errors';
import { DEFAULT_MIN_AGE_SECONDS } from '../events/sweep-command';
import type { ObjectLister } from '../gcp/storage/listing';
import type { MarkerState, MarkerWriter } from '../gcp/storage/markers';
import { batchJobId, chunkMembers, planBatchLoad, sortMembers } from '../routing/batch-plan';
import type { CompiledRoute, CompiledRules } from '../routing/compile';
import { listTargets } from '../routing/list-targets';
import { planObjectLoad } from '../routing/plan';
import { routeAccepts, rulesAccepting } from '../routing/request-plan';
import type { LoadPlan, SweepCommand } from '../types';
import { jobsPerRun, quotaTable, RunBudget } from './budget';
import { type ClaimedJob, createCollector, type SweepMember } from './collect';
import { mapLimit } from './pool';
import { emptySummary, type SweepJob, type SweepProgress, type SweepSummary } from './summary';

/** Claims younger than this belong to a sweep still running, not to one that died. */
export const DEFAULT_CLAIM_GRACE_SECONDS = 600;
/** Catch-up looks back 3 days by default: well inside the time BigQuery keeps job ids. */
export const DEFAULT_CATCH_UP_WINDOW_SECONDS = 3 * 86_400;
/** Per-object catch-up loads in one run (each is one jobs.insert). */
export const MAX_CATCH_UP_PER_RUN = 1000;
/** Marker writes in flight at once. */
const MARKER_CONCURRENCY = 64;

export interface SweepDeps {
  rules: CompiledRules;
  runtimeProject: string;
  lister: ObjectLister;
  markers: MarkerWriter;
  insertJob: (plan: LoadPlan) => Promise<{ outcome: 'submitted' | 'duplicate' }>;
  /** The job, or undefined when BigQuery answers 404. */
  findJob: (projectId: string, jobId: string, location: string) => Promise<unknown | undefined>;
  now?: () => number;
  claimGraceSeconds?: number;
  /** One per run (default: random): see batchJobId. */
  runToken?: string;
  onProgress?: (progress: SweepProgress) => void;
}

export class SweepCommandError extends RefusedInputError {}

export async function runSweep(
  deps: SweepDeps,
  command: Partial<SweepCommand> = {},
): Promise<SweepSummary> {
  const now = (deps.now ?? Date.now)();
  const runToken = deps.runToken ?? randomBytes(8).toString('hex');
  const dryRun = command.dryRun ?? false;
  // Routes that take no object events have nothing for a sweep to list.
  const routes = selectRoutes(deps.rules, command.routes).filter((r) => routeAccepts(r, 'object'));
  const summary = emptySummary(
    dryRun,
    routes.map((r) => r.name),
  );
  const progress = () =>
    deps.onProgress?.({
      listed: summary.listed,
      matched: summary.matched,
      planned: summary.planned,
      submitted: summary.submitted,
    });
  const routeByName = new Map(routes.map((r) => [r.name, r]));
  // Objects are routed exactly as their finalize events would be: only routes that accept
  // object events (first match wins among them).
  const routing = rulesAccepting(deps.rules, 'object');
  const perRun = (route: string) => {
    const batch = routeByName.get(route)?.config.batch;
    return batch ? jobsPerRun(batch) : jobsPerRun({ jobsPerDay: 1000, sweepsPerDay: 96 });
  };
  const maxFiles = (route: string) => routeByName.get(route)?.config.batch?.maxFiles ?? 10_000;

  // 1. List.
  const collector = createCollector({
    rules: routing,
    runtimeProject: deps.runtimeProject,
    routes: new Set(routeByName.keys()),
    now,
    minAgeMs: (command.minAgeSeconds ?? DEFAULT_MIN_AGE_SECONDS) * 1000,
    maxAgeMs: (command.maxAgeSeconds ?? DEFAULT_CATCH_UP_WINDOW_SECONDS) * 1000,
    membersPerGroup: (route) => perRun(route) * maxFiles(route),
    maxCatchUp: MAX_CATCH_UP_PER_RUN,
  });
  const collected = collector.result;
  // Cloud Storage or BigQuery failing stops the run: for a while (retryable) or for good
  // (permanent: a 403 on a listing or a claim). Either way the summary says why and the
  // command is acknowledged; redelivering it would only fail again in a loop. Claims made
  // so far are recovered by the next sweep after the grace period; nothing is lost or
  // loaded twice.
  const stop = (error: unknown) => {
    if (!(error instanceof RetryableError || error instanceof PermanentError)) throw error;
    summary.error = error.message;
    progress();
    return summary;
  };
  try {
    for await (const bucketAndPrefix of expandTargets(deps.lister, routes)) {
      for await (const page of deps.lister.listObjects(
        bucketAndPrefix.bucket,
        bucketAndPrefix.prefix,
      )) {
        for (const object of page) collector.add(object);
        Object.assign(summary, pick(collected));
        progress();
      }
    }
  } catch (error) {
    Object.assign(summary, pick(collected));
    return stop(error);
  }
  Object.assign(summary, pick(collected));

  const budget = new RunBudget();
  const graceMs = (deps.claimGraceSeconds ?? DEFAULT_CLAIM_GRACE_SECONDS) * 1000;
  const record = (job: SweepJob) => {
    summary.jobs.push(job);
    if (job.outcome === 'submitted') summary.submitted += 1;
    if (job.outcome === 'duplicate') summary.duplicates += 1;
    progress();
  };
  const markAll = async (members: SweepMember[], jobId: string, state: MarkerState) => {
    const results = await mapLimit(members, MARKER_CONCURRENCY, async (m) => {
      try {
        return (await deps.markers.write(m, { jobId, state })).kind === 'written';
      } catch {
        return false; // a later sweep finds the claim, sees the job and completes the marker
      }
    });
    summary.markerFailures += results.filter((ok) => !ok).length;
  };

  const clearAll = async (members: SweepMember[]) => {
    const clear = deps.markers.clear?.bind(deps.markers);
    const results = await mapLimit(members, MARKER_CONCURRENCY, async (m) => {
      if (!clear) return false;
      try {
        // conflict or gone: the object changed since the listing; nothing left to clear.
        await clear(m);
        return true;
      } catch {
        return false; // the claim stays; the next sweep's recovery tries again
      }
    });
    summary.markerFailures += results.filter((ok) => !ok).length;
  };

  try {
    // 2. Recover claims of sweeps that died between claim and submit.
    for (const claim of [...collected.claims.values()].sort((a, b) => cmp(a.jobId, b.jobId))) {
      if (now - claim.claimedAt < graceMs) {
        summary.claimsInFlight += claim.members.length;
        continue;
      }
      await recover(claim);
    }
    // 3. New batches, group by group, within the budget.
    for (const [, group] of [...collected.groups].sort(([a], [b]) => cmp(a, b))) {
      const { target } = group;
      const table = quotaTable(target.load.destinationTable);
      const route = routeByName.get(target.route);
      const limits = route?.config.batch ?? { maxFiles: 10_000, maxBytes: 15 * 1000 ** 4 };
      const chunks = chunkMembers(sortMembers(group.members), limits);
      for (const [i, chunk] of chunks.entries()) {
        if (!budget.take(table, perRun(target.route))) {
          summary.deferred += chunks.slice(i).reduce((n, c) => n + c.length, 0);
          break;
        }
        await submitBatch(target, chunk);
      }
    }
    // 4. Catch-up of per-object routes.
    for (const { object } of collected.catchUp) {
      const decision = planObjectLoad(routing, object, { runtimeProject: deps.runtimeProject });
      if (decision.kind !== 'load') continue;
      const { plan } = decision;
      // Catch-up loads count against the table's daily quota like any other job.
      if (
        !budget.take(quotaTable(plan.job.configuration.load.destinationTable), perRun(plan.route))
      ) {
        summary.deferred += 1;
        continue;
      }
      summary.planned += 1;
      const member: SweepMember = { ...object, metageneration: object.metageneration };
      const job = describe('catch-up', plan, [member]);
      if (dryRun) {
        record({ ...job, outcome: 'planned' });
        continue;
      }
      const outcome = await insert(plan);
      record({ ...job, ...outcome });
      // BigQuery is failing: stop as the batch path does, rather than spend every remaining
      // insert's retry budget (up to MAX_CATCH_UP_PER_RUN of them) in one run.
      if (outcome.outcome === 'retry') throw new RetryableError(outcome.reason ?? 'retry');
      await markAll([member], plan.jobId, outcome.outcome === 'refused' ? 'failed' : 'submitted');
    }
  } catch (error) {
    return stop(error);
  }
  progress();
  return summary;

  async function recover(claim: ClaimedJob): Promise<void> {
    const plan = planBatchLoad(claim.target, claim.members, claim.jobId);
    const job = describe('recovery', plan, claim.members);
    summary.planned += 1;
    if (dryRun) {
      record({ ...job, outcome: 'planned' });
      return;
    }
    const existing = await deps.findJob(plan.projectId, plan.jobId, plan.location);
    if (existing !== undefined) {
      // A member whose claim landed but whose answer was lost carries the id without being
      // in the job: its claim is cleared (a later sweep loads it), never marked submitted.
      const held = jobSources(existing);
      const inJob = (m: SweepMember) => !held || held.has(`gs://${m.bucket}/${m.name}`);
      await markAll(claim.members.filter(inJob), claim.jobId, 'submitted');
      await clearAll(claim.members.filter((m) => !inJob(m)));
      record({ ...job, outcome: 'exists' });
      return;
    }
    // A resubmission is a new job for the quota too; over budget, the claim simply waits for
    // the next run (it stays recoverable: same members, same id).
    if (!budget.take(quotaTable(claim.target.load.destinationTable), perRun(claim.target.route))) {
      summary.deferred += claim.members.length;
      return;
    }
    const outcome = await insert(plan);
    record({ ...job, ...outcome });
    if (outcome.outcome === 'retry') throw new RetryableError(outcome.reason ?? 'retry');
    await markAll(
      claim.members,
      claim.jobId,
      outcome.outcome === 'refused' ? 'failed' : 'submitted',
    );
  }

  async function submitBatch(
    target: Parameters<typeof planBatchLoad>[0],
    chunk: SweepMember[],
  ): Promise<void> {
    summary.planned += 1;
    const jobId = batchJobId(target.route, chunk, runToken);
    if (dryRun) {
      record({
        ...describe('batch', planBatchLoad(target, chunk, jobId), chunk),
        outcome: 'planned',
      });
      return;
    }
    // Claim: a compare-and-set on each member's metageneration; a member another sweep
    // claimed first (412) or that was overwritten (404) is simply not ours.
    const claimed: SweepMember[] = [];
    await mapLimit(chunk, MARKER_CONCURRENCY, async (m) => {
      const result = await deps.markers.write(m, { jobId, state: 'claimed' });
      if (result.kind === 'written') claimed.push({ ...m, metageneration: result.metageneration });
      else summary.claimConflicts += 1;
    });
    if (claimed.length === 0) {
      record({
        ...describe('batch', planBatchLoad(target, chunk, jobId), chunk),
        outcome: 'not-claimed',
      });
      return;
    }
    // The job holds exactly the objects that carry its id, as recovery would rebuild it.
    const plan = planBatchLoad(target, claimed, jobId);
    const outcome = await insert(plan);
    record({ ...describe('batch', plan, claimed), ...outcome });
    if (outcome.outcome === 'retry') throw new RetryableError(outcome.reason ?? 'retry');
    await markAll(claimed, jobId, outcome.outcome === 'refused' ? 'failed' : 'submitted');
  }

  async function insert(
    plan: LoadPlan,
  ): Promise<{ outcome: 'submitted' | 'duplicate' | 'refused' | 'retry'; reason?: string }> {
    try {
      return { outcome: (await deps.insertJob(plan)).outcome };
    } catch (error) {
      if (error instanceof PermanentError) return { outcome: 'refused', reason: error.message };
      if (error instanceof RetryableError) return { outcome: 'retry', reason: error.message };
      throw error;
    }
  }
}

/** The URIs a load job reads, or undefined when the job does not list them. */
function jobSources(job: unknown): Set<string> | undefined {
  const uris = (job as { configuration?: { load?: { sourceUris?: unknown } } } | undefined)
    ?.configuration?.load?.sourceUris;
  return Array.isArray(uris) ? new Set(uris.filter((u) => typeof u === 'string')) : undefined;
}

function selectRoutes(rules: CompiledRules, names: string[] | undefined): CompiledRoute[] {
  if (!names) return rules.routes;
  const unknown = names.filter((n) => !rules.routes.some((r) => r.name === n));
  if (unknown.length > 0) {
    throw new SweepCommandError(`sweep names unknown routes: ${unknown.join(', ')}`, {
      reason: 'invalid',
    });
  }
  return rules.routes.filter((r) => names.includes(r.name));
}

/** Literal buckets as they are; glob buckets expanded by listing the project's buckets. */
async function* expandTargets(
  lister: ObjectLister,
  routes: CompiledRoute[],
): AsyncGenerator<{ bucket: string; prefix: string }> {
  const targets = listTargets(routes);
  const listed = new Map<string, string[]>();
  // Skips a prefix already covered in the same bucket (a literal and a glob route may overlap).
  function* once(bucket: string, prefixes: string[]) {
    for (const prefix of [...prefixes].sort()) {
      const done = listed.get(bucket) ?? [];
      if (done.some((p) => prefix.startsWith(p))) continue;
      listed.set(bucket, [...done, prefix]);
      yield { bucket, prefix };
    }
  }
  for (const t of targets) {
    if (!t.bucketPattern.includes('*')) yield* once(t.bucketPattern, [t.prefix]);
  }
  const globs = targets
    .filter((t) => t.bucketPattern.includes('*'))
    .map((t) => ({ re: compileGlob(t.bucketPattern), prefix: t.prefix }));
  if (globs.length === 0) return;
  for await (const page of lister.listBuckets()) {
    for (const bucket of page) {
      yield* once(
        bucket,
        globs.filter((g) => g.re.test(bucket)).map((g) => g.prefix),
      );
    }
  }
}

function describe(kind: SweepJob['kind'], plan: LoadPlan, members: SweepMember[]): SweepJob {
  const t = plan.job.configuration.load.destinationTable;
  return {
    kind,
    jobId: plan.jobId,
    route: plan.route,
    destination: `${t.projectId}.${t.datasetId}.${t.tableId}`,
    files: members.length,
    bytes: members.reduce((n, m) => n + m.size, 0),
    outcome: 'planned',
  };
}

function pick(c: ReturnType<typeof createCollector>['result']) {
  return {
    listed: c.listed,
    matched: c.matched,
    marked: c.marked,
    tooYoung: c.tooYoung,
    tooOld: c.tooOld,
    refused: c.refused,
    deferred: c.deferred,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
