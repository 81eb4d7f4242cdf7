/**
 * A batch load job that failed because of some of its files (docs/sweeps.md: Batch routes, Bad files
 * in a batch). A load job is atomic: failed means no row was written, so the other files are
 * loaded again without the ones the job's errors name, as a new job:
 *
 * 1. the reload job is inserted first — the failed job's load configuration and labels, the
 *    remaining sources, the reload depth label one higher — under an id derived from the
 *    failed job's id and those sources (core/job-id.ts reloadJobId): every finisher of the
 *    failed job (completion event, redelivery, reconciling sweep) computes the same id, and
 *    all but the first get a 409 `duplicate` of that one job;
 * 2. then each remaining member's marker moves from the failed job to the reload job,
 *    `submitted` (compare-and-set, pinned to the generation), so the reload's completion
 *    finishes it like any batch member;
 * 3. the caller (job-event.ts) then finishes the named files as failed, each with its error.
 *
 * A crash between the steps leaves the named files (and maybe the others) marked with the
 * failed job: the next finisher repeats the steps and gets the same job back (409). At most
 * MAX_RELOADS reloads follow one sweep's batch job, each a load job against the table's
 * daily quota; past that, or when the errors name no member or every member, the whole job
 * is failed as before.
 */

import { isStagedRoute } from '../config/staging-checks';
import { gsUri } from '../core/gs-uri';
import { reloadJobId, stagingTableId } from '../core/job-id';
import { RELOAD_LABEL } from '../core/labels';
import { PermanentError, RetryableError } from '../errors';
import { existingJob, type InsertResult } from '../gcp/bigquery/client';
import { markerOf } from '../gcp/storage/markers';
import type { LoadJob, LoadPlan, ObjectPointer } from '../types';
import { badSources } from './bad-sources';
import type { FinishDeps } from './finish';
import type { FinishedJob, JobError } from './job-result';
import { type JobCheck, type LiveObjects, loadedGeneration } from './loaded-generation';

/** Reloads after one sweep batch job: each drops the files its failure named. */
export const MAX_RELOADS = 3;
const CAS_ATTEMPTS = 3;

export interface ReloadDeps extends FinishDeps, LiveObjects {
  getJob: (projectId: string, jobId: string, location: string) => Promise<unknown>;
  /** jobs.insert, 409 answered with the existing job if it is this load (gcp/bigquery/client.ts). */
  insertJob?: (plan: LoadPlan) => Promise<InsertResult>;
}

export interface FailedBatch {
  projectId: string;
  jobId: string;
  location: string;
  result: Extract<FinishedJob, { state: 'failed' }>;
  check: JobCheck;
}

export type Reload =
  /** Not a case for a reload: every member fails with the job (`why` for the log, if any). */
  | { kind: 'none'; why?: string }
  /** A reload was due but could not be made: every member fails with the job. */
  | { kind: 'refused'; reason: string }
  | {
      kind: 'reloaded';
      jobId: string;
      outcome: InsertResult['outcome'] | 'exists';
      /** The files left out, each with the error naming it. */
      bad: Map<string, JobError>;
      good: string[];
      /** Markers this call moved to the reload job. */
      moved: number;
    };

export async function reloadWithoutBadFiles(
  deps: ReloadDeps,
  failed: FailedBatch,
): Promise<Reload> {
  const { check, result } = failed;
  const load = check.job?.configuration?.load;
  const sources = load?.sourceUris ?? [];
  if (!deps.insertJob || sources.length < 2 || !load) return { kind: 'none' };
  const bad = badSources(result.errors, sources);
  if (bad.size === 0 || bad.size === sources.length) return { kind: 'none' };
  const labels = check.job?.configuration?.labels ?? {};
  const depth = Number(labels[RELOAD_LABEL] ?? '0');
  if (!(Number.isInteger(depth) && depth >= 0 && depth < MAX_RELOADS)) {
    return { kind: 'none', why: `${MAX_RELOADS} reloads made already` };
  }
  const good = sources.filter((uri) => !bad.has(uri));
  const jobId = reloadJobId(check.route.name, failed.jobId, good);
  const plan = reloadPlan(failed, jobId, good, depth + 1);
  // The generations the failed job loaded, still live and still this load's: a member
  // overwritten since must not be reloaded (the URI now reads other bytes, with a load of
  // their own). Its markers may already name the reload job (an earlier finisher's step 2).
  const members: ObjectPointer[] = [];
  let changed: string | undefined;
  for (const uri of good) {
    const pointer = await ownedGeneration(deps, uri, [failed.jobId, jobId], check);
    if (!pointer) changed ??= uri;
    else if (pointer.jobId === failed.jobId) members.push(pointer.object);
    // Finished with the failed job already (an earlier finisher failed it whole): it stays so.
    if (pointer?.final) return { kind: 'none', why: `${uri} was finished with the job before` };
  }
  let outcome: Extract<Reload, { kind: 'reloaded' }>['outcome'] | undefined;
  try {
    outcome = changed ? await existing(deps, plan) : (await deps.insertJob(plan)).outcome;
  } catch (error) {
    // A refusal (a job under the id that is not this reload, an option jobs.insert does
    // not take back): failing the whole job is what happened before reloads existed.
    if (error instanceof PermanentError) return { kind: 'refused', reason: error.message };
    throw error;
  }
  if (!outcome) {
    return { kind: 'refused', reason: `${changed} changed since the job (overwritten or deleted)` };
  }
  const moved = await moveMarkers(deps, members, failed.jobId, jobId);
  return { kind: 'reloaded', jobId, outcome, bad, good, moved };
}

/** The reload job: the failed job's configuration with the remaining sources. */
function reloadPlan(failed: FailedBatch, jobId: string, good: string[], depth: number): LoadPlan {
  const config = failed.check.job?.configuration;
  const location = failed.check.job?.jobReference?.location ?? failed.location;
  // The load options as jobs.get answered them: what BigQuery ran is what runs again — but a
  // staged route's reload loads into a staging table of its own id (routing/staging.ts).
  const table = config?.load?.destinationTable;
  const staged = isStagedRoute(failed.check.route.config) && table;
  const destinationTable = staged ? { ...table, tableId: stagingTableId(jobId) } : table;
  const job = {
    jobReference: { projectId: failed.projectId, jobId, location },
    configuration: {
      load: { ...config?.load, destinationTable, sourceUris: good },
      labels: { ...config?.labels, [RELOAD_LABEL]: String(depth) },
    },
  } as unknown as LoadJob;
  const more = good.length > 1 ? ` (+${good.length - 1} more)` : '';
  return {
    route: failed.check.route.name,
    projectId: failed.projectId,
    location,
    jobId,
    job,
    object: `${good[0]}${more}`,
  };
}

/** The generation behind `uri` whose marker names one of `jobIds` (and which job), if any. */
async function ownedGeneration(
  deps: ReloadDeps,
  uri: string,
  jobIds: readonly [failed: string, reload: string],
  check: JobCheck,
): Promise<{ object: ObjectPointer; jobId: string; final: boolean } | undefined> {
  for (const jobId of jobIds) {
    const found = await loadedGeneration(deps, uri, jobId, check.route.name, check);
    if (typeof found === 'string') continue;
    // `loaded`/`failed` under the failed job itself: it was finished whole before.
    const state = jobId === jobIds[0] && markerOf((await deps.getObject(found))?.metadata)?.state;
    return { object: found, jobId, final: state === 'loaded' || state === 'failed' };
  }
  return undefined;
}

/**
 * A remaining member is no longer the generation the failed job loaded. If the reload job
 * exists (an earlier finisher inserted it; the member was loaded since, then moved or
 * deleted by `onSuccess`), it stands: `exists`. Otherwise no reload is made (undefined).
 */
async function existing(deps: ReloadDeps, plan: LoadPlan): Promise<'exists' | undefined> {
  try {
    // The job under the id must be this reload, as on a 409 (routing/job-match.ts).
    existingJob(plan, await deps.getJob(plan.projectId, plan.jobId, plan.location));
    return 'exists';
  } catch (error) {
    if (error instanceof PermanentError && error.status === 404) return undefined;
    throw error;
  }
}

/** Moves each member's marker from the failed job to the reload job; returns how many moved. */
async function moveMarkers(
  deps: FinishDeps,
  members: readonly ObjectPointer[],
  from: string,
  to: string,
): Promise<number> {
  let moved = 0;
  for (const member of members) {
    if (await moveMarker(deps, member, from, to)) moved += 1;
  }
  return moved;
}

async function moveMarker(
  deps: FinishDeps,
  member: ObjectPointer,
  from: string,
  to: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    // Pinned read: undefined when this generation was overwritten or deleted.
    const current = await deps.getObject(member);
    if (!current?.metageneration) return false;
    const marker = markerOf(current.metadata);
    // Only a member still waiting on the failed job: anything else was decided since.
    if (marker?.jobId !== from || (marker.state !== 'claimed' && marker.state !== 'submitted')) {
      return false;
    }
    const written = await deps.markers.write(
      { ...member, metageneration: current.metageneration },
      { jobId: to, state: 'submitted' },
    );
    if (written.kind === 'written') return true;
    if (written.kind === 'gone') return false;
  }
  throw new RetryableError(
    `${gsUri(member)}: its metadata kept changing while it was moved to reload job ${to}`,
    { jobId: from },
  );
}
