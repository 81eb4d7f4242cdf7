/**
 * The step after a per-object load was submitted (pipeline/object-load.ts): for a route with
 * `wait`, wait for the job in-process and finish it (finish.ts). Returns what to add to the
 * event's one outcome line, and its severity: a failed load is an ERROR with the job's
 * error list, so Cloud Logging alerting and log-based metrics can count it.
 */
import { formatTableReference } from '../core/table-ref';
import type { InsertResult } from '../gcp/bigquery/client';
import type { StagedCalls } from '../gcp/bigquery/staged-calls';
import type { LogFields, Severity } from '../log';
import { finalDestination } from '../routing/staging';
import type { LoadPlan, ObjectRef } from '../types';
import { type FinishDeps, type FinishInput, finishLoad } from './finish';
import { errorText, jobResult } from './job-result';
import { discardSnapshots } from './snapshot';
import { finishStagedWrite } from './staged-write';
import { waitForJob } from './wait';

export interface OutcomeDeps extends FinishDeps {
  getJob: (projectId: string, jobId: string, location: string) => Promise<unknown>;
  /** The live generation of an object (job-completion events); absent: events refused. */
  getLiveObject?: (bucket: string, name: string) => Promise<ObjectRef | undefined>;
  /** jobs.insert: reloads of a failed batch without its bad files (batch-reload.ts); absent: none. */
  insertJob?: (plan: LoadPlan) => Promise<InsertResult>;
  /** Poll pacing (tests shorten it). */
  initialDelayMs?: number;
  /** The calls of staged loads (docs/transforms.md); absent: staged routes cannot be finished. */
  staged?: StagedCalls;
}

export type RouteOutcomeOptions = FinishInput['route'] & {
  wait?: { timeoutSeconds: number };
  snapshot?: boolean;
};

export interface AfterSubmit {
  severity: Extract<Severity, 'INFO' | 'ERROR'>;
  message?: string;
  fields: LogFields;
}

export async function afterSubmit(
  deps: OutcomeDeps,
  route: RouteOutcomeOptions | undefined,
  plan: LoadPlan,
  object: ObjectRef,
  job: unknown,
): Promise<AfterSubmit> {
  if (!route || !followsOutcomes(route, plan)) return { severity: 'INFO', fields: {} };
  // Without `wait`, a job that is already DONE (a fast failure, or a redelivery after the
  // load finished) is still finished here: a move that failed earlier is repeated.
  const wait = route.wait
    ? { timeoutMs: route.wait.timeoutSeconds * 1000, initialDelayMs: deps.initialDelayMs }
    : undefined;
  const started = Date.now();
  let result = wait
    ? await waitForJob(() => deps.getJob(plan.projectId, plan.jobId, plan.location), wait, job)
    : jobResult(job);
  if (plan.staged && result.state !== 'running') {
    // A staged load is finished by its query job (staged-write.ts), in what is left of the wait.
    if (!deps.staged) throw new Error('a staged route is loaded without the staged-load calls');
    const left = wait && {
      ...wait,
      timeoutMs: Math.max(0, wait.timeoutMs - (Date.now() - started)),
    };
    const { projectId, location } = plan;
    const target = {
      projectId,
      location,
      labels: plan.job.configuration.labels,
      staged: plan.staged,
    };
    result = await finishStagedWrite(
      { staged: deps.staged, getJob: deps.getJob },
      target,
      result,
      left,
    );
  }
  if (result.state === 'running' && !route.wait) return { severity: 'INFO', fields: {} };
  if (result.state === 'running') {
    return {
      severity: 'INFO',
      fields: {
        state: 'claimed',
        waited: 'job still running; left to completion events and sweeps',
      },
    };
  }
  const t = finalDestination(plan);
  const report = await finishLoad(deps, {
    route,
    object: { bucket: object.bucket, name: object.name, generation: object.generation },
    jobId: plan.jobId,
    destination: formatTableReference(t),
    result,
  });
  // The job is done: its snapshot (if any) has been read.
  await discardSnapshots(
    deps.discardSnapshot,
    plan.jobId,
    plan.job.configuration.load.sourceUris ?? [],
  );
  const { marker, ...rest } = report;
  const fields: LogFields = {
    ...rest,
    finished: marker,
    ...(result.queryJobId ? { queryJobId: result.queryJobId } : {}),
    ...(result.updated === undefined ? {} : { updatedRows: result.updated }),
  };
  if (result.state === 'loaded') {
    return { severity: 'INFO', message: `load job loaded: ${plan.jobId}`, fields };
  }
  // One ERROR per failed load: a finisher that found it already recorded (the completion
  // event, or an earlier delivery, logged the ERROR) reports it at INFO.
  return {
    severity: marker === 'already' ? 'INFO' : 'ERROR',
    message: `load job failed: ${plan.jobId}: ${result.reason}`,
    fields: { ...fields, errors: result.errors.slice(0, 20).map(errorText) },
  };
}

/** A route that asked for any outcome handling: its jobs are finished by this module. */
export function followsOutcomes(
  route: RouteOutcomeOptions | undefined,
  plan: Pick<LoadPlan, 'staged'>,
): boolean {
  if (!route) return false;
  // A snapshot is deleted when its job is finished (snapshot.ts); a staged load's query runs
  // once its load is DONE (staged-write.ts).
  return Boolean(
    route.wait ||
      route.onSuccess ||
      route.onFailure ||
      route.notifyTopic ||
      route.snapshot ||
      plan.staged,
  );
}
