/**
 * The object path: decode (done) → read (pointer only) → route → claim → submit → record.
 * Finalize events and GCS notifications enter here; load requests share claim → submit
 * (submitObject). Each step returns a value; nothing here decides acknowledgement.
 */
import { gsUri } from '../core/gs-uri';
import { formatTableReference } from '../core/table-ref';
import { jobFailure } from '../gcp/bigquery/job-status';
import type { MarkerWriter } from '../gcp/storage/markers';
import type { LogFields } from '../log';
import { afterSubmit, followsOutcomes, type OutcomeDeps } from '../outcomes/after-submit';
import { SnapshotGoneError } from '../outcomes/snapshot';
import { planForMarkedJob } from '../routing/attempt';
import type { CompiledRules } from '../routing/compile';
import { jobMismatch } from '../routing/job-match';
import { planObjectLoad } from '../routing/plan';
import { rulesAccepting } from '../routing/request-plan';
import { finalDestination } from '../routing/staging';
import type { DecodedEvent, LoadPlan, ObjectPointer, ObjectRef } from '../types';
import { claimObject } from './claim';
import { type EventOutcome, ignoredOutcome, refusedOutcome, type Trail } from './event-outcome';

export type InsertJob = (
  plan: LoadPlan,
) => Promise<{ outcome: 'submitted' | 'duplicate'; job: unknown }>;

export interface ObjectLoadDeps {
  /** Resolves once the rules are loaded; a rejection means the configuration is broken. */
  rules: () => Promise<CompiledRules>;
  runtimeProject: () => Promise<string>;
  insertJob: InsertJob;
  /** The live generation of an object; undefined when there is none. */
  getLiveObject: (bucket: string, name: string) => Promise<ObjectRef | undefined>;
  /** Claims before each insert (docs/outcomes.md: Exactly once); absent: markers are off. */
  markers?: MarkerWriter;
  /** jobs.get, undefined when the job does not exist: tells a late event from a lost one. */
  findJob?: (projectId: string, jobId: string, location: string) => Promise<unknown>;
  /** Completion wait, final markers, notifications, post-load actions. */
  outcomes?: OutcomeDeps;
}

const LOADED_BY_SWEEP = 'loaded by sweep';

type ObjectEvent = Extract<DecodedEvent, { kind: 'object' | 'pointer' }>;

export async function loadObjectEvent(
  deps: ObjectLoadDeps,
  decoded: ObjectEvent,
  trail: Trail,
): Promise<EventOutcome> {
  const ref = decoded.kind === 'object' ? decoded.object : decoded.pointer;
  trail.fields.object = gsUri(ref);
  const object = decoded.kind === 'object' ? decoded.object : await readLive(deps, ref);
  if (!object) return staleOutcome(ref);
  const [rules, runtimeProject] = await Promise.all([deps.rules(), deps.runtimeProject()]);
  const decision = planObjectLoad(rulesAccepting(rules, decoded.via), object, { runtimeProject });
  if (decision.kind !== 'load') {
    const fields = { route: decision.route };
    return decision.kind === 'refused'
      ? refusedOutcome('object', decision.reason, fields)
      : ignoredOutcome('object', decision.reason, fields);
  }
  const { plan } = decision;
  Object.assign(trail.fields, { route: plan.route, jobId: plan.jobId });
  const route = rules.routes.find((r) => r.name === plan.route)?.config;
  // Batch routes are loaded by scheduled sweeps, many files per job.
  if (decoded.via === 'object' && route?.mode === 'batch') {
    return ignoredOutcome('object', LOADED_BY_SWEEP, { route: plan.route });
  }
  const submitted = await submitObject(deps, object, plan);
  if (submitted.kind === 'refused') return submitted.outcome;
  trail.fields.jobId = submitted.plan.jobId;
  return recordSubmission(deps, route, object, submitted.plan, submitted);
}

/** A pointer (notification without payload) names a generation: read it, if still live. */
async function readLive(
  deps: ObjectLoadDeps,
  pointer: ObjectPointer,
): Promise<ObjectRef | undefined> {
  const live = await deps.getLiveObject(pointer.bucket, pointer.name);
  return live?.generation === pointer.generation ? live : undefined;
}

export type Submission =
  | {
      kind: 'submitted' | 'duplicate';
      /** The plan submitted: the event's, or a later attempt's (a retry claimed it). */
      plan: LoadPlan;
      job: unknown;
      claim: string;
      failure?: string;
    }
  | { kind: 'refused'; outcome: EventOutcome };

/**
 * claim → jobs.insert. At most two requests on the warm path. A claim that finds the
 * generation stale or owned by another job refuses the object before BigQuery is asked.
 */
export async function submitObject(
  deps: Pick<ObjectLoadDeps, 'insertJob' | 'getLiveObject' | 'markers' | 'findJob'>,
  object: ObjectRef,
  plan: LoadPlan,
): Promise<Submission> {
  const claim = deps.markers
    ? await claimObject(
        { markers: deps.markers, getLiveObject: deps.getLiveObject },
        object,
        plan.jobId,
      )
    : undefined;
  if (claim?.kind === 'stale') return staleSubmission(deps, object, plan);
  if (claim?.kind === 'foreign') {
    const reason = `the object generation is already claimed by job ${claim.jobId}`;
    return { kind: 'refused', outcome: refusedOutcome('object', reason, { route: plan.route }) };
  }
  // A retry claimed a later attempt since (docs/outcomes.md: Retrying a failed load): that job is this
  // load now, so a redelivered event makes sure it exists (409) instead of the failed one.
  const current = (claim?.kind === 'ours' && planForMarkedJob(plan, claim.jobId)) || plan;
  // Snapshot mode copies the claimed generation first (outcomes/snapshot.ts): if it is gone
  // by now, it was overwritten after the claim; refused as a stale generation is.
  const inserted = await deps.insertJob(current).catch((error: unknown) => {
    if (error instanceof SnapshotGoneError) return undefined;
    throw error;
  });
  if (!inserted) return staleSubmission(deps, object, current);
  const { outcome, job } = inserted;
  const failed = jobFailure(job);
  // jobs.insert answers 200 (and jobs.get after a 409 answers) even for a job that has
  // already failed, e.g. a missing dataset: that is not a success to report.
  const failure = failed
    ? `${outcome === 'duplicate' ? 'the existing job' : 'the job'} failed: ${failed}`
    : undefined;
  return {
    kind: outcome,
    plan: current,
    job,
    claim: claim ? claimText(claim) : 'off',
    ...(failure ? { failure } : {}),
  };
}

async function recordSubmission(
  deps: ObjectLoadDeps,
  route: Parameters<typeof afterSubmit>[1],
  object: ObjectRef,
  plan: LoadPlan,
  submitted: Extract<Submission, { job: unknown }>,
): Promise<EventOutcome> {
  const fields: LogFields = {
    route: plan.route,
    jobId: plan.jobId,
    destination: destinationOf(plan),
  };
  const follows = Boolean(deps.outcomes && followsOutcomes(route, plan));
  // Routes with outcome options record a failed job on the object instead (below).
  if (submitted.failure && !follows) {
    const reason = submitted.failure;
    return {
      severity: 'ERROR',
      message: `load failed in BigQuery: ${reason}`,
      fields: { ...fields, outcome: 'refused', reason },
    };
  }
  const after = deps.outcomes
    ? await afterSubmit(deps.outcomes, route, plan, object, submitted.job)
    : undefined;
  // A job finished in-process (wait, or already DONE) ends the event with its final state:
  // `finished`, never `submitted` beside `state: failed`. A redelivery stays `duplicate`.
  const state = after?.fields.state;
  const finished = submitted.kind === 'submitted' && (state === 'loaded' || state === 'failed');
  return {
    severity: after?.severity ?? 'INFO',
    message: after?.message ?? `load job ${submitted.kind}: ${plan.jobId}`,
    fields: {
      ...fields,
      outcome: finished ? 'finished' : submitted.kind,
      claim: submitted.claim,
      ...after?.fields,
    },
  };
}

/**
 * The generation is gone. If its job exists, this is a late redelivery of a load that
 * happened (the object was since moved, deleted or overwritten): a duplicate. If not, the
 * generation was replaced before it could be loaded: refused, never loaded with other bytes.
 */
async function staleSubmission(
  deps: Pick<ObjectLoadDeps, 'findJob'>,
  object: ObjectRef,
  plan: LoadPlan,
): Promise<Submission> {
  const job = await deps.findJob?.(plan.projectId, plan.jobId, plan.location);
  if (job === undefined) return { kind: 'refused', outcome: staleOutcome(object) };
  const mismatch = jobMismatch(job, plan);
  if (mismatch) {
    const reason = `the generation is gone, and job ${plan.jobId} under its id is not this load: ${mismatch}`;
    return { kind: 'refused', outcome: refusedOutcome('object', reason, { route: plan.route }) };
  }
  const failed = jobFailure(job);
  return {
    kind: 'duplicate',
    plan,
    job,
    claim: 'gone',
    ...(failed ? { failure: `the existing job failed: ${failed}` } : {}),
  };
}

function claimText(claim: Awaited<ReturnType<typeof claimObject>>): string {
  return claim.kind === 'ours' ? `already ${claim.state}` : claim.kind;
}

function staleOutcome(object: ObjectPointer): EventOutcome {
  const reason = `generation ${object.generation} is no longer the live one (overwritten or deleted before it was loaded); a newer generation is loaded by its own event`;
  return refusedOutcome('object', reason, { object: gsUri(object) });
}

export function destinationOf(plan: LoadPlan): string {
  return formatTableReference(finalDestination(plan));
}
