/**
 * The BigQuery jobs client: `jobs.insert` through the metadata URI and `jobs.get`, on the
 * shared Google edge (token, keep-alive connections, error classification) with the one
 * retry policy (../retry.ts). The job id makes a repeated insert harmless: 409 → jobs.get.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/get
 */
import { PermanentError, RetryableError } from '../../errors';
import { jobMismatch } from '../../routing/job-match';
import type { LoadPlan } from '../../types';
import { createGoogleEdge, type GoogleEdge } from '../edge';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';

export interface BigQueryClientOptions {
  /** Default: an edge of its own, from process.env and Application Default Credentials. */
  edge?: GoogleEdge;
  retry?: RetryOptions;
  /** Per HTTP request. Default 30 000. */
  fetchTimeoutMs?: number;
}

export interface InsertResult {
  /** `duplicate`: a job with this id already existed (a redelivery); `job` is that job. */
  outcome: 'submitted' | 'duplicate';
  /** BigQuery's Job resource, as answered. */
  job: unknown;
}

export interface BigQueryClient {
  insertJob(plan: LoadPlan): Promise<InsertResult>;
  getJob(projectId: string, jobId: string, location: string): Promise<unknown>;
  /** jobs.get, undefined when the job does not exist (404). */
  findJob(projectId: string, jobId: string, location: string): Promise<unknown>;
}

/** jobs.insert, metadata URI. */
export function jobsInsertUrl(baseUrl: string, projectId: string): string {
  return `${baseUrl}/bigquery/v2/projects/${encodeURIComponent(projectId)}/jobs`;
}

/** jobs.get: the location is required for jobs outside US and EU. */
export function jobsGetUrl(
  baseUrl: string,
  projectId: string,
  jobId: string,
  location: string,
): string {
  const path = `/bigquery/v2/projects/${encodeURIComponent(projectId)}/jobs/${encodeURIComponent(jobId)}`;
  return `${baseUrl}${path}?location=${encodeURIComponent(location)}`;
}

/** HTTP 409 from jobs.insert with reason `duplicate` (or none given): the id exists. */
export function isDuplicateInsert(error: unknown): boolean {
  if (!(error instanceof PermanentError) || error.status !== 409) return false;
  return error.reason === undefined || error.reason === 'duplicate';
}

/**
 * The job a 409 found, as a duplicate of `plan` — or a PermanentError when it is another
 * job under the same id (a decoy inserted by someone who computed the id): never reported
 * as loaded, never marked or acted on.
 */
export function existingJob(plan: LoadPlan, job: unknown): InsertResult {
  const mismatch = jobMismatch(job, plan);
  if (mismatch) {
    throw new PermanentError(`job ${plan.jobId} already exists but is not this load: ${mismatch}`, {
      status: 409,
      reason: 'foreignJob',
      jobId: plan.jobId,
    });
  }
  return { outcome: 'duplicate', job };
}

/**
 * After a 409: the existing job, read with jobs.get, as a duplicate of `plan` (existingJob).
 * A 404 then is not "no job" (a sweep releases its claims on a 4xx and would claim the
 * members again under a new id: a second load). BigQuery's 409 names where the job is
 * (`Already Exists: Job PROJECT:LOCATION.ID`): in another location than planned, it is not
 * this load (a decoy, or a job of other rules) — refused as `foreignJob`, never retried
 * forever; in the planned location, BigQuery cannot show it yet — retryable (the event is
 * redelivered, a sweep keeps its claims for recovery under the same id).
 */
export async function duplicateOf(
  plan: LoadPlan,
  getJob: (projectId: string, jobId: string, location: string) => Promise<unknown>,
  conflict?: unknown,
): Promise<InsertResult> {
  let job: unknown;
  try {
    job = await getJob(plan.projectId, plan.jobId, plan.location);
  } catch (error) {
    if (!(error instanceof PermanentError) || error.status !== 404) throw error;
    const where = conflictLocation(conflict, plan.jobId);
    if (where && where.toLowerCase() !== plan.location.toLowerCase()) {
      throw new PermanentError(
        `job ${plan.jobId} already exists in ${where}, not in ${plan.location} where this load runs: it is not this load`,
        { status: 409, reason: 'foreignJob', jobId: plan.jobId, cause: error },
      );
    }
    throw new RetryableError(
      `jobs.insert ${plan.jobId}: BigQuery answered 409 (the id exists) but jobs.get in ${plan.location} finds no such job yet: ${error.message}`,
      { status: 404, reason: 'duplicateNotVisible', jobId: plan.jobId, cause: error },
    );
  }
  return existingJob(plan, job);
}

/** The location a 409's message names for the job (`…Job PROJECT:LOCATION.JOB_ID`). */
function conflictLocation(conflict: unknown, jobId: string): string | undefined {
  const message = conflict instanceof Error ? conflict.message : '';
  const at = message.lastIndexOf(`.${jobId}`);
  if (at < 0) return undefined;
  return /:([A-Za-z0-9-]+)$/.exec(message.slice(0, at))?.[1];
}

export function createBigQueryClient(options: BigQueryClientOptions = {}): BigQueryClient {
  const edge = options.edge ?? createGoogleEdge();
  const retry = retryPolicy(options.retry);
  const timeoutMs = options.fetchTimeoutMs ?? 30_000;

  async function getJob(projectId: string, jobId: string, location: string): Promise<unknown> {
    const url = jobsGetUrl(edge.endpoints.bigquery, projectId, jobId, location);
    const what = `jobs.get ${jobId}`;
    return withRetry(async ({ deadline }) => {
      const answer = await edge.call({
        service: 'bigquery',
        method: 'GET',
        url,
        what,
        jobId,
        timeoutMs,
        deadline,
      });
      return answer.json();
    }, retry);
  }

  /**
   * A 200 answer means the job exists: it is `submitted` even when `status.errorResult` is
   * already set (the load failed at once). Whether the load succeeded is a later question.
   */
  async function insertJob(plan: LoadPlan): Promise<InsertResult> {
    const url = jobsInsertUrl(edge.endpoints.bigquery, plan.projectId);
    const what = `jobs.insert ${plan.jobId}`;
    try {
      const answer = await withRetry(
        ({ deadline }) =>
          edge.call({
            service: 'bigquery',
            method: 'POST',
            url,
            json: plan.job,
            what,
            jobId: plan.jobId,
            timeoutMs,
            deadline,
          }),
        retry,
      );
      return { outcome: 'submitted', job: answer.json() };
    } catch (error) {
      if (!isDuplicateInsert(error)) throw error;
      // 409 duplicate: this job id was inserted before (a redelivery, or an earlier attempt
      // whose answer was lost). The existing job is the result — if it is this load.
      return duplicateOf(plan, getJob, error);
    }
  }

  async function findJob(projectId: string, jobId: string, location: string): Promise<unknown> {
    try {
      return await getJob(projectId, jobId, location);
    } catch (error) {
      if (error instanceof PermanentError && error.status === 404) return undefined;
      throw error;
    }
  }

  return { insertJob, getJob, findJob };
}
