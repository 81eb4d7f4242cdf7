/**
 * Which object generation a finished load job loaded from one of its source URIs: the one
 * whose marker names the job (the claim written before the insert), or — for a load claimed
 * before markers existed — the live generation whose deterministic job id is this job's.
 * Anything else was overwritten or deleted (`gone`), or the job is not the load the rules plan
 * for the object (`foreign`). Shared by the job-event finisher and the batch reload.
 */
import { parseGsUri } from '../core/gs-uri';
import { objectJobId } from '../core/job-id';
import { parseSnapshotName } from '../core/snapshot';
import { markerOf } from '../gcp/storage/markers';
import { planForMarkedJob } from '../routing/attempt';
import type { CompiledRoute, CompiledRules } from '../routing/compile';
import { targetMismatch } from '../routing/job-match';
import { planObjectLoad } from '../routing/plan';
import { routeAccepts, rulesAccepting } from '../routing/request-plan';
import { restage } from '../routing/staging';
import type { LoadPlan, ObjectPointer, ObjectRef } from '../types';

/** The parts of a Job resource (jobs.get) the finishers read. */
export interface LoadJobShape {
  jobReference?: { location?: string };
  configuration?: {
    labels?: Record<string, string>;
    load?: {
      sourceUris?: string[];
      destinationTable?: { projectId?: string; datasetId?: string; tableId?: string };
      [option: string]: unknown;
    };
  };
}

export interface LiveObjects {
  getLiveObject: (bucket: string, name: string) => Promise<ObjectRef | undefined>;
}

/** What a source object's job must look like: the job the loader would plan for it. */
export interface JobCheck {
  rules: CompiledRules;
  route: CompiledRoute;
  job: LoadJobShape | undefined;
  billing: string;
}

/**
 * The generation this job loaded, or why none is finished: `gone` (overwritten or deleted)
 * or `foreign` (the job is not what the rules plan for the object: its destination or
 * route label differ — a decoy under a computable id).
 */
export async function loadedGeneration(
  deps: LiveObjects,
  uri: string,
  jobId: string,
  route: string,
  check: JobCheck,
): Promise<ObjectPointer | 'gone' | 'foreign'> {
  const found = await loadedPlan(deps, uri, jobId, route, check);
  return typeof found === 'string' ? found : found.pointer;
}

/**
 * loadedGeneration, with the plan the rules make for that generation as job `jobId`: a staged
 * load's query (outcomes/staged-write.ts) is planned from it.
 */
export async function loadedPlan(
  deps: LiveObjects,
  uri: string,
  jobId: string,
  route: string,
  check: JobCheck,
): Promise<{ pointer: ObjectPointer; plan: LoadPlan } | 'gone' | 'foreign'> {
  const source = parseGsUri(uri);
  if (!source) return 'gone';
  // A snapshot (route option `snapshot`) names the object it holds; only this job's counts.
  const snapshot = parseSnapshotName(source.name);
  if (snapshot && snapshot.jobId !== jobId) return 'foreign';
  const { bucket } = source;
  const name = snapshot ? snapshot.name : source.name;
  const live = await deps.getLiveObject(bucket, name);
  if (!live) return 'gone';
  const owned =
    markerOf(live.metadata)?.jobId === jobId ||
    objectJobId({ bucket, name, generation: live.generation, route }) === jobId;
  if (!owned) return 'gone';
  // Planned as its load was: against the route the job names only (an earlier route that
  // takes other inputs may also match the name).
  const only = check.route;
  const kind = (['object', 'request'] as const).find((k) => routeAccepts(only, k)) ?? 'object';
  const decision = planObjectLoad(rulesAccepting(check.rules, kind, only.name), live, {
    runtimeProject: check.billing,
  });
  // Destination and route label only: a batch job holds more sources than this one object.
  // A snapshot route's job reads exactly the planned snapshot, never the object itself.
  // A retry's attempt (docs/outcomes.md: Retrying a failed load) reads its own snapshot name.
  // A batch (or its reload) is this object's plan as that job: a staged route's staging
  // table is named from the job's id (routing/staging.ts).
  const plan =
    decision.kind === 'load'
      ? (planForMarkedJob(decision.plan, jobId) ?? restage(decision.plan, jobId))
      : undefined;
  const planned =
    plan !== undefined &&
    !targetMismatch(check.job, plan) &&
    (!(snapshot || plan.snapshot) || plan.job.configuration.load.sourceUris?.includes(uri));
  return planned ? { pointer: { bucket, name, generation: live.generation }, plan } : 'foreign';
}
