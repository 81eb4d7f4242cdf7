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

import { MAX_QUERY_ATTEMPTS, queryAttemptId } from '../core/job-id';
import { PermanentError, RetryableError } from '../errors';
import { foreignQuery, type StagedCalls } from '../gcp/bigquery/staged-calls';
import { quoteTable, sourceRelation } from '../routing/staged-sql';
import type { StagedWrite } from '../types';
import { type FinishedJob, type JobResult, queryResult } from './job-result';
import { planQuery, type QueryTarget } from './staged-query-plan';
import { type WaitOptions, waitForJob } from './wait';

export interface StagedWriteDeps {
  staged: StagedCalls;
  getJob: (projectId: string, jobId: string, location: string) => Promise<unknown>;
}

/** The staged load: where its jobs run and how its rows reach the destination. */
export type StagedLoad = QueryTarget;

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
  // An empty file: nothing to write, and no columns to write it with (autodetect).
  if (load.rows === '0') {
    await dropStaging(deps, staged);
    return load;
  }
  let result: JobResult = { state: 'running' };
  // One wait for every attempt: `wait` bounds the whole query step, not each try.
  const deadline = wait ? Date.now() + wait.timeoutMs : 0;
  for (let attempt = 1; attempt <= MAX_QUERY_ATTEMPTS; attempt += 1) {
    const id = queryAttemptId(staged.queryJobId, attempt);
    const job = await queryJob(deps, target, id);
    if (typeof job === 'string') {
      await dropStaging(deps, staged);
      return { state: 'failed', reason: job, errors: [{ reason: 'invalid', message: job }] };
    }
    const left = wait && { ...wait, timeoutMs: Math.max(0, deadline - Date.now()) };
    result = await settle(deps, target, id, job, left);
    // A MERGE that lost to another DML statement on the table committed nothing: the next
    // attempt (its own id, so it too runs once) reads the table as it is now.
    if (!(result.state === 'failed' && /concurrent update/i.test(result.reason))) break;
  }
  if (result.state === 'running') return result;
  // The query is DONE: its rows are in the destination (or it failed); staging is spent.
  await dropStaging(deps, staged);
  return { ...result, bytes: load.bytes ?? result.bytes };
}

/**
 * Query attempt `id`: the existing job, the one inserted now, or why the file cannot be
 * written (recorded failed, so `bq-autoloader retry` runs it again under ids of its own):
 * BigQuery refused a call of the plan (a missing dataset, a permission, a schema change it
 * will not make), or a job under the id is not this load's query (a decoy: never trusted).
 * A plan that failed while another finisher inserted the same query defers to that job.
 */
async function queryJob(
  deps: StagedWriteDeps,
  target: StagedLoad,
  id: string,
): Promise<unknown | string> {
  try {
    const existing = await findQuery(deps, target, id);
    if (existing !== undefined) return existing;
    const planned = await planQuery(deps.staged, target, id);
    if (typeof planned !== 'string') {
      return (await deps.staged.insertQuery(planned, (job) => queryMismatch(job, target))).job;
    }
    return (await findQuery(deps, target, id)) ?? planned;
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    if (error.reason === 'foreignJob')
      return `${error.message}; retry the load: its next attempt has ids of its own`;
    const raced = await findQuery(deps, target, id).catch(() => undefined);
    return raced ?? `the query could not be planned: ${error.message}`;
  }
}

/** The job under query id `id` (undefined: none), refused as foreignJob if it is not this load's query. */
async function findQuery(deps: StagedWriteDeps, target: StagedLoad, id: string): Promise<unknown> {
  let job: unknown;
  try {
    job = await deps.getJob(target.projectId, id, target.location);
  } catch (error) {
    if (error instanceof PermanentError && error.status === 404) return undefined;
    throw error;
  }
  const mismatch = queryMismatch(job, target);
  if (mismatch) throw foreignQuery(id, mismatch);
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

/**
 * Best effort: the staging dataset's default expiration removes a table this misses, and a
 * failed drop must not keep the file's outcome from being recorded.
 */
async function dropStaging(deps: StagedWriteDeps, staged: StagedWrite): Promise<void> {
  try {
    await deps.staged.deleteTable(staged.staging);
  } catch (error) {
    if (!(error instanceof PermanentError || error instanceof RetryableError)) throw error;
  }
}

/**
 * Why a job found under the query's id is not this load's query: it must carry the load's
 * labels, write the route's destination and read this load's source relation (its staging
 * table through the route's own transform) as the loader writes it. This refuses a job of
 * other rules or another load; a job crafted by someone who may insert jobs in the project
 * could still pass (docs/security.md: Known gaps).
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
  if (!sql.includes(` FROM ${sourceRelation(target.staged)}`)) {
    return `it does not read this load's staging table ${quoteTable(target.staged.staging)} as the route reads it`;
  }
  for (const [key, value] of Object.entries(target.labels)) {
    if (config?.labels?.[key] !== value) return `its ${key} label is not ${value}`;
  }
  return undefined;
}
