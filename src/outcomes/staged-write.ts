/**
 * The second half of a staged load (docs/transforms.md), run by whoever finishes its load
 * job — the in-process wait, a completion event of the load or of its query, a reconciling
 * sweep — always the same way, so a redelivery or a crash at any step only repeats what is
 * safe to repeat:
 *
 *   load DONE ─▶ query `<load id>_q` exists? ─ no ─▶ decide columns, create/widen the table,
 *   insert it (409: someone just did) ─▶ query DONE? ─ no ─▶ running (its completion event or
 *   the next sweep comes back here) ─ yes ─▶ drop the staging table ─▶ the query's result.
 *
 * The query's id is derived from the load's, so it is inserted once whatever the number of
 * finishers; the file's outcome is the query's, recorded only once the query is DONE. The
 * staging table is dropped only after that: a finisher arriving later reads the query's
 * result from jobs.get and never needs the staging rows again.
 */

import { queryAttemptId } from '../core/job-id';
import { PermanentError } from '../errors';
import type { QueryJob, StagedCalls } from '../gcp/bigquery/staged-calls';
import { decideColumns } from '../routing/staged-columns';
import { quoteTable, stagedQuerySql, transformProbeSql } from '../routing/staged-sql';
import type { StagedWrite } from '../types';
import { type FinishedJob, type JobResult, queryResult } from './job-result';
import { type WaitOptions, waitForJob } from './wait';

/** Query attempts per load: BigQuery itself retries a conflicting DML statement 3 times first. */
export const MAX_QUERY_ATTEMPTS = 3;

export interface StagedWriteDeps {
  staged: StagedCalls;
  getJob: (projectId: string, jobId: string, location: string) => Promise<unknown>;
}

/** jobs.get; undefined when the job does not exist (404). */
async function findJob(
  deps: StagedWriteDeps,
  projectId: string,
  jobId: string,
  location: string,
): Promise<unknown> {
  try {
    return await deps.getJob(projectId, jobId, location);
  } catch (error) {
    if (error instanceof PermanentError && error.status === 404) return undefined;
    throw error;
  }
}

/** The staged load: where its jobs run and how its rows reach the destination. */
export interface StagedLoad {
  projectId: string;
  location: string;
  labels: Record<string, string>;
  staged: StagedWrite;
}

/**
 * The result to record for a staged load whose load job finished as `load`: the load's
 * failure, the query's result, or `running` while the query runs. With `wait`, polls the
 * query until it is DONE or the time is up.
 */
export async function finishStagedWrite(
  deps: StagedWriteDeps,
  target: StagedLoad,
  load: FinishedJob,
  wait?: WaitOptions,
): Promise<JobResult> {
  if (load.state === 'failed') return load;
  const { staged } = target;
  let result: JobResult = { state: 'running' };
  for (let attempt = 1; attempt <= MAX_QUERY_ATTEMPTS; attempt += 1) {
    const id = queryAttemptId(staged.queryJobId, attempt);
    const job = await findOrInsertQuery(deps, target, id).catch(unplannable);
    if (typeof job === 'string') {
      await deps.staged.deleteTable(staged.staging);
      return { state: 'failed', reason: job, errors: [{ reason: 'invalid', message: job }] };
    }
    result = await settle(deps, target, id, job, wait);
    // A MERGE that lost to another DML statement on the table committed nothing: the next
    // attempt (its own id, so it too runs once) reads the table as it is now.
    if (!(result.state === 'failed' && /concurrent update/i.test(result.reason))) break;
  }
  if (result.state === 'running') return result;
  // The query is DONE: its rows are in the destination (or it failed); staging is spent.
  await deps.staged.deleteTable(staged.staging);
  return { ...result, bytes: load.bytes ?? result.bytes };
}

/**
 * A call BigQuery refused while the query was planned (a missing dataset, a permission, a
 * schema change it will not make) fails the file with its message: recorded on the object
 * and retried once fixed. A job under the query's id that is not this load's query is
 * thrown on: nothing is recorded for a decoy.
 */
function unplannable(error: unknown): string {
  if (error instanceof PermanentError && error.reason !== 'foreignJob') {
    return `the query could not be planned: ${error.message}`;
  }
  throw error;
}

/** The query attempt `id`: the existing job (if it is this load's query) or the one inserted now. */
async function findOrInsertQuery(
  deps: StagedWriteDeps,
  target: StagedLoad,
  id: string,
): Promise<unknown | string> {
  const { projectId, location } = target;
  const job = await findJob(deps, projectId, id, location);
  if (job === undefined) return insertQuery(deps, target, id);
  const mismatch = queryMismatch(job, target);
  if (mismatch) {
    throw new PermanentError(`job ${id} already exists but is not this load's query: ${mismatch}`, {
      status: 409,
      reason: 'foreignJob',
      jobId: id,
    });
  }
  return job;
}

/** The query's result; with `wait`, polled until DONE or the time is up. */
async function settle(
  deps: StagedWriteDeps,
  target: StagedLoad,
  id: string,
  job: unknown,
  wait: WaitOptions | undefined,
): Promise<JobResult> {
  const result = queryResult(job, id);
  if (result.state !== 'running' || !wait) return result;
  const poll = () => deps.getJob(target.projectId, id, target.location);
  const polled = await waitForJob(poll, wait, job);
  // waitForJob reads a load's statistics: the DONE query is read again for its DML counts.
  return polled.state === 'running' ? polled : queryResult(await poll(), id);
}

/** Plans and inserts the query; a string says why the file cannot be written (recorded failed). */
async function insertQuery(
  deps: StagedWriteDeps,
  target: StagedLoad,
  id: string,
): Promise<unknown | string> {
  const { projectId, location, staged, labels } = target;
  const destination = await deps.staged.tableFields(staged.destination);
  const probe = transformProbeSql(staged);
  const source = probe
    ? await deps.staged.dryRunFields(projectId, location, probe).catch((error: unknown) => {
        if (error instanceof PermanentError)
          return `the transform is not valid SQL for this file: ${error.message}`;
        throw error;
      })
    : await deps.staged.tableFields(staged.staging);
  if (typeof source === 'string') return source;
  if (source === undefined) {
    return `staging table ${quoteTable(staged.staging)} no longer exists (expired?): retry the load`;
  }
  const decided = decideColumns(staged, destination, source);
  if (!decided.ok) return decided.reason;
  if (decided.create)
    await deps.staged.createTable(staged.destination, decided.create, staged.create?.options ?? {});
  if (decided.evolved) await deps.staged.patchFields(staged.destination, decided.evolved);
  const job: QueryJob = {
    jobReference: { projectId, jobId: id, location },
    configuration: {
      query: {
        query: stagedQuerySql(staged, decided.columns, decided.rescued),
        useLegacySql: false,
      },
      labels,
    },
  };
  const answer = await deps.staged.insertQuery(job, (existing) => queryMismatch(existing, target));
  return answer.job;
}

/**
 * Why a job found under the query's id is not this load's query: it must carry the route's
 * label, read this load's staging table and write the route's destination. (A decoy under a
 * computable id is refused, never recorded as the file's outcome.)
 */
export function queryMismatch(job: unknown, target: StagedLoad): string | undefined {
  const config = (
    job as { configuration?: { labels?: Record<string, string>; query?: { query?: unknown } } }
  )?.configuration;
  const sql = config?.query?.query;
  if (typeof sql !== 'string') return 'it is not a query job';
  const dest = quoteTable(target.staged.destination);
  if (!sql.startsWith(`INSERT INTO ${dest} `) && !sql.startsWith(`MERGE ${dest} `)) {
    return `it does not write ${dest}`;
  }
  if (!sql.includes(quoteTable(target.staged.staging)))
    return "it does not read this load's staging table";
  for (const [key, value] of Object.entries(target.labels)) {
    if (config?.labels?.[key] !== value) return `its ${key} label is not ${value}`;
  }
  return undefined;
}
