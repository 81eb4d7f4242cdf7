/**
 * Retrying a failed load (docs/outcomes.md: Retrying a failed load): `bq-autoloader retry gs://…` and
 * `{"kind": "retry", …}` requests. A load job that ended DONE with an error wrote no rows (a
 * load job is atomic) and keeps its id forever, so the same load is submitted again as
 * attempt n+1 under `<first id>_a<n+1>`, claimed on the object's marker with a
 * compare-and-set over the failed marker: of two concurrent retries exactly one claims, the
 * other finds the claim its own and gets a 409. Objects whose last job did not fail are left
 * alone, with the reason; a re-upload is a new generation and loads by its own event.
 */
import { gsUri } from '../core/gs-uri';
import { jobFailure } from '../gcp/bigquery/job-status';
import { markerOf } from '../gcp/storage/markers';
import { markedAttempt, planAttempt, planRetriedObject } from '../routing/attempt';
import type { CompiledRules } from '../routing/compile';
import { targetMismatch } from '../routing/job-match';
import type { PlanContext } from '../routing/plan';
import type { LoadPlan, ObjectRef } from '../types';
import { type ObjectLoadDeps, submitObject } from './object-load';

export type RetryDeps = Pick<ObjectLoadDeps, 'insertJob' | 'getLiveObject' | 'markers' | 'findJob'>;

export type RetryResult =
  /** Attempt `attempt` was submitted (or already existed: a concurrent or repeated retry). */
  | { kind: 'submitted' | 'duplicate'; plan: LoadPlan; attempt: number; previous: string }
  /** The object's last job did not fail: nothing to retry. */
  | { kind: 'unchanged'; reason: string; route?: string }
  | { kind: 'refused'; reason: string; route?: string };

export async function retryObject(
  deps: RetryDeps,
  rules: CompiledRules,
  ref: { bucket: string; name: string },
  ctx: PlanContext,
): Promise<RetryResult> {
  const uri = gsUri(ref);
  // Checked before any read: a publisher must not learn about buckets it may not reach.
  if (!rules.allowBucket(ref.bucket)) {
    return { kind: 'refused', reason: `bucket "${ref.bucket}" is not in allow.buckets` };
  }
  if (!deps.markers) {
    return {
      kind: 'refused',
      reason:
        'markers are off (AUTOLOADER_MARKERS=off): a failed load cannot be told from a loaded one',
    };
  }
  const object = await deps.getLiveObject(ref.bucket, ref.name);
  if (!object) {
    return {
      kind: 'refused',
      reason: `${uri} does not exist (an object moved by onFailure is loaded again by moving it back: a new generation)`,
    };
  }
  const decision = planRetriedObject(rules, object, ctx);
  if (decision.kind !== 'load') {
    return { kind: 'refused', reason: decision.reason, route: decision.route };
  }
  return retryPlanned(deps, object, decision.plan);
}

async function retryPlanned(
  deps: RetryDeps,
  object: ObjectRef,
  first: LoadPlan,
): Promise<RetryResult> {
  const route = first.route;
  const marker = markerOf(object.metadata);
  if (!marker) {
    const reason =
      'no load has claimed this generation: nothing to retry (its event, a sweep or a load request loads it)';
    return { kind: 'unchanged', reason, route };
  }
  const marked = markedAttempt(first, marker.jobId);
  if (marked === undefined) {
    const reason = `it is claimed by job ${marker.jobId}, which is not route "${route}"'s load of it (rules changed since?)`;
    return { kind: 'refused', reason, route };
  }
  if (marker.state === 'loaded') {
    const reason = `job ${marker.jobId} loaded it${marker.rows ? ` (${marker.rows} rows)` : ''}: nothing to retry`;
    return { kind: 'unchanged', reason, route };
  }
  const job = await deps.findJob?.(first.projectId, marker.jobId, first.location);
  // A job under the marked id that loads elsewhere is a decoy (ids are computable): neither
  // its success nor its failure says anything about this object. Refused loudly.
  const mismatch = job === undefined ? undefined : targetMismatch(job, first);
  if (mismatch) {
    const reason = `job ${marker.jobId} is not this loader's load of the object: ${mismatch}`;
    return { kind: 'refused', reason, route };
  }
  // Only a per-object attempt can be resumed here; a sweep's claim is its sweep's to submit.
  const { attempt, own } = marked;
  const why = jobState(job, marker.state, own);
  if (why === 'resume') {
    // Claimed, never inserted (a crash between claim and insert): insert that attempt now.
    return submitAttempt(deps, object, first, attempt, marker.jobId);
  }
  if (why !== 'failed') return { kind: 'unchanged', reason: `job ${marker.jobId} ${why}`, route };
  if (!own && marker.state !== 'failed') {
    // A failed sweep job whose finisher has not run yet: it may reload this file with the
    // others (outcomes/batch-reload.ts), and a retry now would load it a second time. The
    // finisher marks it failed (or moves it to the reload) first; retry after that.
    const reason = `job ${marker.jobId} failed, but its finisher has not recorded it yet (it may reload this file with the batch's other files): retry once the object is marked failed`;
    return { kind: 'unchanged', reason, route };
  }
  return submitAttempt(deps, object, first, attempt + 1, marker.jobId);
}

/**
 * `failed`: retry. `resume`: this attempt was claimed but never inserted. Otherwise why
 * there is nothing to retry. A failed marker whose job BigQuery no longer remembers (job
 * history is kept for months, not forever) counts as failed.
 */
function jobState(job: unknown, markerState: string, resumable: boolean): string {
  if (job === undefined) {
    if (markerState === 'failed') return 'failed';
    if (markerState === 'claimed' && resumable) return 'resume';
    return 'does not exist yet: the sweep that claimed the object submits it';
  }
  if (jobFailure(job)) return 'failed';
  const state = (job as { status?: { state?: unknown } }).status?.state;
  if (state !== 'DONE')
    return `is still ${String(state ?? 'pending').toLowerCase()}: nothing to retry`;
  return 'succeeded: nothing to retry';
}

async function submitAttempt(
  deps: RetryDeps,
  object: ObjectRef,
  first: LoadPlan,
  attempt: number,
  previous: string,
): Promise<RetryResult> {
  const plan = planAttempt(first, attempt);
  if (typeof plan === 'string') return { kind: 'refused', reason: plan, route: first.route };
  const submitted = await submitObject(deps, object, plan);
  if (submitted.kind === 'refused') {
    return { kind: 'refused', reason: String(submitted.outcome.fields.reason), route: plan.route };
  }
  if (submitted.failure) {
    const reason = `${submitted.plan.jobId}: ${submitted.failure}`;
    return { kind: 'refused', reason, route: plan.route };
  }
  return { kind: submitted.kind, plan: submitted.plan, attempt, previous };
}
