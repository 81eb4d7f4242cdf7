/**
 * A later attempt of a planned per-object load (docs/outcomes.md: Retrying a failed load). A job that
 * ended DONE with an error keeps its deterministic id, so the retry is the same load under
 * `<id>_a<n>` (core/job-id.ts): same destination, options and labels; a snapshot route
 * copies to a staging name of the new id, since the failed attempt's copy may be gone. Pure.
 */
import { gsUri } from '../core/gs-uri';
import { attemptJobId, attemptOf, isBatchJobIdOf } from '../core/job-id';
import type { LoadPlan, ObjectRef, RouteDecision } from '../types';
import type { CompiledRules } from './compile';
import { type PlanContext, planObjectLoad, snapshotOf } from './plan';
import { rulesAccepting } from './request-plan';
import { restage } from './staging';

/**
 * `first` (attempt 1, as planObjectLoad makes it) as attempt `attempt`; a string says why it
 * cannot be (the snapshot name would be too long for Cloud Storage).
 */
export function planAttempt(first: LoadPlan, attempt: number): LoadPlan | string {
  if (attempt <= 1) return first;
  const jobId = attemptJobId(first.jobId, attempt);
  // A staged load's staging table and query are named from the attempt's id too.
  const plan = restage(first, jobId);
  if (!first.snapshot) return plan;
  // The failed attempt's copy may be gone: this attempt copies to a name of its own.
  const snapshot = snapshotOf(first.snapshot.source, jobId);
  if (typeof snapshot === 'string') return `${first.object}: ${snapshot}`;
  const load = { ...plan.job.configuration.load, sourceUris: [gsUri(snapshot.target)] };
  return {
    ...plan,
    job: { ...plan.job, configuration: { ...plan.job.configuration, load } },
    snapshot,
  };
}

/** The plan for the job a marker names, when it is an attempt of `first`; else undefined. */
export function planForMarkedJob(first: LoadPlan, markedJobId: string): LoadPlan | undefined {
  const attempt = attemptOf(markedJobId, first.jobId);
  if (attempt === undefined) return undefined;
  const plan = planAttempt(first, attempt);
  return typeof plan === 'string' ? undefined : plan;
}

/**
 * The first attempt's plan for an object being retried: planned as its finalize event was
 * (routes taking objects, batch routes included: a retried batch member loads on its own),
 * else as a load request was. Refused when no route matches it any more.
 */
export function planRetriedObject(
  rules: CompiledRules,
  object: ObjectRef,
  ctx: PlanContext,
): RouteDecision {
  for (const kind of ['object', 'request'] as const) {
    const decision = planObjectLoad(rulesAccepting(rules, kind), object, ctx);
    if (decision.kind !== 'ignored') return decision;
  }
  return { kind: 'refused', reason: `no route matches ${gsUri(object)} now` };
}

/**
 * Which attempt the job a marker names was, for the load `first` plans: one of its own
 * attempts (`own`), or a batch job of the same route (a sweep loaded the object with others:
 * attempt 1). Undefined: the marker names a job that is not this route's load of the object.
 */
export function markedAttempt(
  first: LoadPlan,
  markedJobId: string,
): { attempt: number; own: boolean } | undefined {
  const own = attemptOf(markedJobId, first.jobId);
  if (own !== undefined) return { attempt: own, own: true };
  return isBatchJobIdOf(markedJobId, first.route) ? { attempt: 1, own: false } : undefined;
}
