/**
 * Handles a job-completion event (src/events/job-completed.ts): reads the job (jobs.get is
 * the authority: it has the output rows and the full error list), finds the object
 * generation each source URI loaded, and finishes each one like the in-process wait does
 * (finish.ts), so whichever arrives first — the event, the wait, a sweep — the object ends
 * in the same state. Delivered twice, or before the insert's own log line: same result.
 *
 * Which generation a job loaded: the one whose marker names the job, or — when the
 * completion arrives before the `submitted` marker — the live generation whose
 * deterministic job id is this job's. Anything else was overwritten or deleted: not marked.
 */

import { parseGsUri } from '../core/gs-uri';
import { objectJobId } from '../core/job-id';
import { labelValue, ROUTE_LABEL } from '../core/labels';
import { markerOf } from '../gcp/storage/markers';
import type { LogFields } from '../log';
import type { CompiledRules } from '../routing/compile';
import type { FinishedJobRef, ObjectPointer, ObjectRef } from '../types';
import { type FinishDeps, type FinishReport, finishLoad } from './finish';
import { errorText, jobResult } from './job-result';

export interface JobEventDeps extends FinishDeps {
  getJob: (projectId: string, jobId: string, location: string) => Promise<unknown>;
  getLiveObject: (bucket: string, name: string) => Promise<ObjectRef | undefined>;
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
  const location = ref.location ?? rules.config.location;
  const job = (await deps.getJob(ref.projectId, ref.jobId, location)) as LoadJobShape | undefined;
  const base: LogFields = { jobId: ref.jobId };
  const result = jobResult(job);
  if (result.state === 'running') {
    const reason =
      'jobs.get does not show the job DONE yet (the next event or a sweep finishes it)';
    return {
      severity: 'INFO',
      message: `event ignored: ${reason}`,
      fields: { ...base, outcome: 'ignored', reason },
    };
  }
  const label = job?.configuration?.labels?.[ROUTE_LABEL];
  const route = rules.routes.find((r) => labelValue(r.name) === label)?.config;
  if (!route) {
    const reason = `no route in the rules for label ${ROUTE_LABEL}=${label ?? '(none)'}`;
    return {
      severity: 'WARNING',
      message: `event ignored: ${reason}`,
      fields: { ...base, outcome: 'ignored', reason },
    };
  }
  const t = job?.configuration?.load?.destinationTable;
  const destination = `${t?.projectId}.${t?.datasetId}.${t?.tableId}`;
  const reports: (FinishReport & { object: string })[] = [];
  for (const uri of job?.configuration?.load?.sourceUris ?? []) {
    const pointer = await loadedGeneration(deps, uri, ref.jobId, route.name);
    if (!pointer) {
      reports.push({ object: uri, state: result.state, marker: 'gone', action: 'skipped' });
      continue;
    }
    const report = await finishLoad(deps, {
      route,
      object: pointer,
      jobId: ref.jobId,
      destination,
      result,
    });
    reports.push({ object: `${uri}#${pointer.generation}`, ...report });
  }
  const first = reports[0];
  const fields: LogFields = {
    ...base,
    outcome: 'finished',
    route: route.name,
    destination,
    state: result.state,
    ...(result.rows === undefined ? {} : { rows: result.rows }),
    ...(result.bytes === undefined ? {} : { bytes: result.bytes }),
    ...(reports.length === 1 && first
      ? {
          object: first.object,
          finished: first.marker,
          action: first.action,
          ...(first.notified ? { notified: first.notified } : {}),
        }
      : { objects: reports.map((r) => `${r.object}:${r.marker}:${r.action}`).slice(0, 50) }),
  };
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
  return { severity: 'INFO', message: `load job loaded: ${ref.jobId}`, fields };
}

async function loadedGeneration(
  deps: JobEventDeps,
  uri: string,
  jobId: string,
  route: string,
): Promise<ObjectPointer | undefined> {
  const object = parseGsUri(uri);
  if (!object) return undefined;
  const { bucket, name } = object;
  const live = await deps.getLiveObject(bucket, name);
  if (!live) return undefined;
  const owned =
    markerOf(live.metadata)?.jobId === jobId ||
    objectJobId({ bucket, name, generation: live.generation, route }) === jobId;
  return owned ? { bucket, name, generation: live.generation } : undefined;
}
