/**
 * Handles a job-completion event (src/events/job-completed.ts): reads the job (jobs.get is
 * the authority: it has the output rows and the full error list), finds the object
 * generation each source URI loaded, and finishes each one like the in-process wait does
 * (finish.ts), so whichever arrives first — the event, the wait, a sweep — the object ends
 * in the same state. Delivered twice, or before the insert's own log line: same result.
 *
 * Which generation a job loaded: loaded-generation.ts. A failed batch job whose errors name
 * some of its files is first reloaded without them (batch-reload.ts); then only the named
 * files are finished, failed, each with the error naming it.
 */

import { labelValue, ROUTE_LABEL } from '../core/labels';
import type { LogFields } from '../log';
import type { CompiledRules } from '../routing/compile';
import type { FinishedJobRef } from '../types';
import { type Reload, type ReloadDeps, reloadWithoutBadFiles } from './batch-reload';
import { type FinishInput, type FinishReport, finishLoad } from './finish';
import { errorText, type JobError, jobResult } from './job-result';
import { type JobCheck, type LoadJobShape, loadedGeneration } from './loaded-generation';
import { discardSnapshots } from './snapshot';
import { loadJobOf, type StagedJobDeps, stagedOutcome } from './staged-job';

/** With `insertJob`, a failed batch is reloaded without the files its errors name (batch-reload.ts). */
export interface JobEventDeps extends ReloadDeps, StagedJobDeps {
  /** The project jobs are billed to when the rules name none. */
  runtimeProject: () => Promise<string>;
}

export interface JobEventOutcome {
  severity: 'INFO' | 'WARNING' | 'ERROR';
  message: string;
  fields: LogFields;
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
  const found = await deps.getJob(ref.projectId, ref.jobId, location);
  // A staged load's query job (docs/transforms.md): its load is what gets finished.
  const load = loadJobOf(ref, found);
  if (!load) return ignored(ref, "a query job that is not a staged load's");
  if (load !== ref) return finishJobFromEvent(deps, rules, load);
  const job = found as LoadJobShape | undefined;
  let result = jobResult(job);
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
  const sources = job?.configuration?.load?.sourceUris ?? [];
  const check: JobCheck = { rules, route: compiled, job, billing };
  const staged = await stagedOutcome(deps, { ...ref, location }, check, result);
  if (staged.kind === 'stuck') return { ...ignored(ref, staged.reason), severity: 'WARNING' };
  if (staged.kind === 'staged') result = staged.result;
  if (result.state === 'running') {
    return {
      ...ignored(
        ref,
        'its query job is running (its completion event or a sweep finishes the load)',
      ),
      fields: { jobId: ref.jobId, outcome: 'ignored', state: 'running' },
    };
  }
  const t =
    staged.kind === 'staged'
      ? staged.staged.destination
      : job?.configuration?.load?.destinationTable;
  const destination = `${t?.projectId}.${t?.datasetId}.${t?.tableId}`;
  const input = { route, jobId: ref.jobId, destination, result };
  const reload: Reload =
    result.state === 'failed'
      ? await reloadWithoutBadFiles(deps, { ...ref, location, result, check })
      : { kind: 'none' };
  const reports =
    reload.kind === 'reloaded'
      ? await finishBadSources(deps, input, reload.bad, check)
      : await finishSources(deps, input, sources, check);
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
    ...(result.queryJobId ? { queryJobId: result.queryJobId } : {}),
    ...(result.updated === undefined ? {} : { updatedRows: result.updated }),
    ...reportFields(reports),
    ...reloadFields(reload),
  };
  return finishedOutcome(ref, result, fields, reports, reload);
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
  reload: Reload,
): JobEventOutcome {
  if (result.state === 'failed') {
    const again =
      reload.kind === 'reloaded'
        ? `; the other ${reload.good.length} files reload as ${reload.jobId} without the ${reload.bad.size} its errors name`
        : '';
    return {
      severity: 'ERROR',
      message: `load job failed: ${ref.jobId}: ${result.reason}${again}`,
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

/**
 * The files a failed batch job's errors name, while the others reload: each finished failed
 * with its own error, so its marker says why and the route's `onFailure` action applies.
 */
async function finishBadSources(
  deps: JobEventDeps,
  input: Omit<FinishInput, 'object'>,
  bad: ReadonlyMap<string, JobError>,
  check: JobCheck,
): Promise<SourceReport[]> {
  const reports: SourceReport[] = [];
  for (const [uri, error] of bad) {
    const result = { state: 'failed' as const, reason: errorText(error), errors: [error] };
    reports.push(...(await finishSources(deps, { ...input, result }, [uri], check)));
  }
  return reports;
}

function reloadFields(reload: Reload): LogFields {
  if (reload.kind === 'none') return reload.why ? { reload: `none: ${reload.why}` } : {};
  if (reload.kind === 'refused') return { reload: `refused: ${reload.reason}` };
  return {
    reload: reload.outcome,
    reloadJobId: reload.jobId,
    reloaded: reload.good.length,
    quarantined: [...reload.bad.keys()].slice(0, 50),
  };
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
