/**
 * A finished job, as the job-event finisher (job-event.ts) sees it, when its route is staged
 * (docs/transforms.md): the load's result only counts once its query is DONE
 * (staged-write.ts). The query is planned from the rules for the job's first source object
 * that is still this load's, as that job (routing/staging.ts restage), so a completion event,
 * a reconciling sweep and the in-process wait all plan the same query.
 */
import { isStagedRoute } from '../config/staging-checks';
import { loadJobIdOfQuery } from '../core/job-id';
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
  /** No source object is still this load's: there is nothing to plan a query for. */
  | { kind: 'orphan'; reason: string };

export async function stagedOutcome(
  deps: StagedJobDeps,
  ref: FinishedJobRef & { location: string },
  check: JobCheck,
  load: FinishedJob,
): Promise<StagedOutcome> {
  if (!isStagedRoute(check.route.config)) return { kind: 'plain' };
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
    kind: 'orphan',
    reason: `none of the job's ${sources.length} source objects is still this load's (moved, deleted or overwritten): no query to run`,
  };
}
