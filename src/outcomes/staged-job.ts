/**
 * A finished job, as the job-event finisher (job-event.ts) sees it, when its route is staged
 * (docs/transforms.md): the load's result only counts once its query is DONE
 * (staged-write.ts). The query is planned from the rules for the job's first source object
 * that is still this load's, as that job (routing/staging.ts restage), so a completion event,
 * a reconciling sweep and the in-process wait all plan the same query.
 */
import { isStagedRoute } from '../config/staging-checks';
import { loadJobIdOfQuery, stagingTableId } from '../core/job-id';
import type { StagedCalls } from '../gcp/bigquery/staged-calls';
import type { FinishedJobRef, StagedWrite } from '../types';
import type { FinishedJob, JobResult } from './job-result';
import { type JobCheck, type LiveObjects, loadedPlan } from './loaded-generation';
import { finishStagedWrite } from './staged-write';

export interface StagedJobDeps extends LiveObjects {
  getJob: (projectId: string, jobId: string, location: string) => Promise<unknown>;
  /** The calls of staged loads; absent: a staged route's load cannot be finished here. */
  staged?: StagedCalls;
}

/** The load job a job-completion event is about: a staged load's query event finishes its load. */
export function loadJobOf(ref: FinishedJobRef, job: unknown): FinishedJobRef | undefined {
  const query = (job as { configuration?: { query?: unknown } } | undefined)?.configuration?.query;
  if (query === undefined) return ref;
  const loadJobId = loadJobIdOfQuery(ref.jobId);
  return loadJobId ? { ...ref, jobId: loadJobId } : undefined;
}

export type StagedOutcome =
  | { kind: 'plain' }
  | { kind: 'staged'; result: JobResult; staged: StagedWrite }
  /** Nothing can be written now: logged as a WARNING, the objects left as they are. */
  | { kind: 'stuck'; reason: string };

/**
 * Whether the job wrote a staging table: its own, named from its id. Decided from the job,
 * not the rules: a route that gained or lost `transform`/`dedupe` since the load must not
 * record a staging load as loaded (its rows are not in the destination yet).
 */
function stagingTableOf(job: JobCheck['job'], jobId: string): string | undefined {
  const table = job?.configuration?.load?.destinationTable;
  return table?.tableId === stagingTableId(jobId)
    ? `${table.projectId}.${table.datasetId}.${table.tableId}`
    : undefined;
}

export async function stagedOutcome(
  deps: StagedJobDeps,
  ref: FinishedJobRef & { location: string },
  check: JobCheck,
  load: FinishedJob,
): Promise<StagedOutcome> {
  const staging = stagingTableOf(check.job, ref.jobId);
  // A job that wrote its destination directly is finished as any load (a route that became
  // staged since finds it not planned: its objects are left alone, as `foreign`).
  if (!staging) return { kind: 'plain' };
  if (!isStagedRoute(check.route.config)) {
    return {
      kind: 'stuck',
      reason: `the job loaded staging table ${staging}, but route ${check.route.name} has no transform, dedupe or rescue now: its rows were not written (restore the route's keys, or retry the load)`,
    };
  }
  if (!deps.staged) throw new Error('a staged route is finished without the staged-load calls');
  const sources = check.job?.configuration?.load?.sourceUris ?? [];
  for (const uri of sources) {
    const found = await loadedPlan(deps, uri, ref.jobId, check.route.name, check);
    if (typeof found === 'string' || !found.plan.staged) continue;
    const labels = check.job?.configuration?.labels ?? found.plan.job.configuration.labels;
    const result = await finishStagedWrite(
      { staged: deps.staged, getJob: deps.getJob },
      { projectId: ref.projectId, location: ref.location, labels, staged: found.plan.staged },
      load,
    );
    return { kind: 'staged', result, staged: found.plan.staged };
  }
  return {
    kind: 'stuck',
    reason: `none of the job's ${sources.length} source objects is still this load's (moved, deleted or overwritten before its query was planned, or the rules changed): the rows in staging table ${staging} are not written and expire with it; load the file again`,
  };
}
