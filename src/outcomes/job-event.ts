/**
 * Handles a job-completion event (src/events/job-completed.ts): reads the job (jobs.get is
 * the authority: it has the output rows and the full error list), finds the object
 * generation each source URI loaded, and finishes each one like the in-process wait does
 * (finish.ts), so whichever arrives first — the event, the wait, a sweep — the object ends
 * in the same state. Delivered twice, or before the insert's own log line: same result.
 *
 * Which generation a job loaded: the one whose marker names the job (the claim written
 * before the insert), or — for a load claimed before markers existed — the live generation
 * whose deterministic job id is this job's. Anything else was overwritten or deleted: not marked.
 */

import { parseGsUri } from '../core/gs-uri';
import { objectJobId } from '../core/job-id';
import { labelValue, ROUTE_LABEL } from '../core/labels';
import { parseSnapshotName } from '../core/snapshot';
import { markerOf } from '../gcp/storage/markers';
import type { LogFields } from '../log';
import { planForMarkedJob } from '../routing/attempt';
import type { CompiledRoute, CompiledRules } from '../routing/compile';
import { targetMismatch } from '../routing/job-match';
import { planObjectLoad } from '../routing/plan';
import { routeAccepts, rulesAccepting } from '../routing/request-plan';
import type { FinishedJobRef, ObjectPointer, ObjectRef } from '../types';
import { type FinishDeps, type FinishInput, type FinishReport, finishLoad } from './finish';
import { errorText, jobResult } from './job-result';
import { discardSnapshots } from './snapshot';

export interface JobEventDeps extends FinishDeps {
  getJob: (projectId: string, jobId: string, location: string) => Promise<unknown>;
  getLiveObject: (bucket: string, name: string) => Promise<ObjectRef | undefined>;
  /** The project jobs are billed to when the rules name none. */
  runtimeProject: () => Promise<string>;
}

export interface JobEventOutcome {
  severity: 'INFO' | 'WARNING' | 'ERROR';
  message: string;
  fields: LogFields;
}

interface LoadJobShape {
  configuration?: {
    labels?: Record<string, string>;
    load?: {
      sourceUris?: string[];
      destinationTable?: { projectId?: string; datasetId?: string; tableId?: string };
    };
  };
}

export async function finishJobFromEvent(
  deps: JobEventDeps,
  rules: CompiledRules,
  ref: FinishedJobRef,
): Promise<JobEventOutcome> {
  const billing = rules.config.project ?? (await deps.runtimeProject());
  const elsewhere = projectRefusal(ref, billing);
  if (elsewhere) return elsewhere;
  const location = ref.location ?? rules.config.location;
  const job = (await deps.getJob(ref.projectId, ref.jobId, location)) as LoadJobShape | undefined;
  const result = jobResult(job);
  if (result.state === 'running') {
    return ignored(
      ref,
      'jobs.get does not show the job DONE yet (the next event or a sweep finishes it)',
    );
  }
  const label = job?.configuration?.labels?.[ROUTE_LABEL];
  const compiled = rules.routes.find((r) => labelValue(r.name) === label);
  if (!compiled) {
    return {
      ...ignored(ref, `no route in the rules for label ${ROUTE_LABEL}=${label ?? '(none)'}`),
      severity: 'WARNING',
    };
  }
  const route = compiled.config;
  const t = job?.configuration?.load?.destinationTable;
  const destination = `${t?.projectId}.${t?.datasetId}.${t?.tableId}`;
  const sources = job?.configuration?.load?.sourceUris ?? [];
  const check: JobCheck = { rules, route: compiled, job, billing };
  const input = { route, jobId: ref.jobId, destination, result };
  const reports = await finishSources(deps, input, sources, check);
  // The job is done: a snapshot it read is no longer needed.
  await discardSnapshots(deps.discardSnapshot, ref.jobId, sources);
  const fields: LogFields = {
    jobId: ref.jobId,
    outcome: 'finished',
    route: route.name,
    destination,
    state: result.state,
    ...(result.rows === undefined ? {} : { rows: result.rows }),
    ...(result.bytes === undefined ? {} : { bytes: result.bytes }),
    ...reportFields(reports),
  };
  return finishedOutcome(ref, result, fields, reports);
}

/**
 * Only jobs in the loader's own project: a completion event naming a job elsewhere (a decoy
 * under a computable id) must not mark, move or delete anything.
 */
function projectRefusal(ref: FinishedJobRef, billing: string): JobEventOutcome | undefined {
  if (ref.projectId === billing) return undefined;
  const reason = `the job is in project ${ref.projectId}, not this loader's project ${billing}`;
  return {
    severity: 'WARNING',
    message: `event refused: ${reason}`,
    fields: { jobId: ref.jobId, outcome: 'refused', reason },
  };
}

/** Failed: ERROR with the job's errors. A source the job was not planned for: WARNING. */
function finishedOutcome(
  ref: FinishedJobRef,
  result: ReturnType<typeof jobResult>,
  fields: LogFields,
  reports: readonly SourceReport[],
): JobEventOutcome {
  if (result.state === 'failed') {
    return {
      severity: 'ERROR',
      message: `load job failed: ${ref.jobId}: ${result.reason}`,
      fields: {
        ...fields,
        error: result.reason,
        errors: result.errors.slice(0, 20).map(errorText),
      },
    };
  }
  if (reports.some((r) => r.marker === 'foreign')) {
    return {
      severity: 'WARNING',
      message: `load job ${ref.jobId} is not the load the rules plan for its objects: they were left alone (rules changed since, or a job not made by this loader)`,
      fields,
    };
  }
  return { severity: 'INFO', message: `load job loaded: ${ref.jobId}`, fields };
}

function ignored(ref: FinishedJobRef, reason: string): JobEventOutcome {
  return {
    severity: 'INFO',
    message: `event ignored: ${reason}`,
    fields: { jobId: ref.jobId, outcome: 'ignored', reason },
  };
}

type SourceReport = FinishReport & { object: string };

/** Finishes the object generation behind each source URI the job loaded. */
async function finishSources(
  deps: JobEventDeps,
  input: Omit<FinishInput, 'object'>,
  sourceUris: readonly string[],
  check: JobCheck,
): Promise<SourceReport[]> {
  const reports: SourceReport[] = [];
  for (const uri of sourceUris) {
    const pointer = await loadedGeneration(deps, uri, input.jobId, input.route.name, check);
    if (typeof pointer === 'string') {
      reports.push({ object: uri, state: input.result.state, marker: pointer, action: 'skipped' });
      continue;
    }
    const report = await finishLoad(deps, { ...input, object: pointer });
    reports.push({ object: `${uri}#${pointer.generation}`, ...report });
  }
  return reports;
}

/** One object: its fields on the line; many (a batch): a compact list. */
function reportFields(reports: readonly SourceReport[]): LogFields {
  const first = reports[0];
  if (reports.length !== 1 || !first) {
    return { objects: reports.map((r) => `${r.object}:${r.marker}:${r.action}`).slice(0, 50) };
  }
  return {
    object: first.object,
    finished: first.marker,
    action: first.action,
    ...(first.notified ? { notified: first.notified } : {}),
  };
}

/** What a source object's job must look like: the job the loader would plan for it. */
interface JobCheck {
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
async function loadedGeneration(
  deps: JobEventDeps,
  uri: string,
  jobId: string,
  route: string,
  check: JobCheck,
): Promise<ObjectPointer | 'gone' | 'foreign'> {
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
  // A retry's attempt (README: Retrying a failed load) reads its own snapshot name.
  const plan =
    decision.kind === 'load'
      ? (planForMarkedJob(decision.plan, jobId) ?? decision.plan)
      : undefined;
  const planned =
    plan !== undefined &&
    !targetMismatch(check.job, plan) &&
    (!(snapshot || plan.snapshot) || plan.job.configuration.load.sourceUris?.includes(uri));
  return planned ? { bucket, name, generation: live.generation } : 'foreign';
}
