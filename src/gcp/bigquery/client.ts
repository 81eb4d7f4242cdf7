/**
 * The BigQuery jobs client: `jobs.insert` through the metadata URI and `jobs.get`, with
 * Application Default Credentials (google-auth-library) and our retry policy (retry.ts).
 * gaxios' own retries are switched off so retry.ts is the only policy.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/get
 */
import { GoogleAuth } from 'google-auth-library';
import type { LoadPlan } from '../../types';
import { bigQueryBaseUrl, jobsGetUrl, jobsInsertUrl } from './endpoint';
import { isDuplicateInsert, jobCallError } from './errors';
import { type RetryOptions, retryPolicy, withRetry } from './retry';

export const DEFAULT_SCOPES = [
  'https://www.googleapis.com/auth/bigquery',
  'https://www.googleapis.com/auth/devstorage.read_only',
];

export interface BigQueryClientOptions {
  env?: NodeJS.ProcessEnv;
  /** Default: a GoogleAuth with `scopes`. */
  auth?: GoogleAuth;
  /** Default: `AUTOLOADER_SCOPES` (comma-separated), else DEFAULT_SCOPES. Ignored with `auth`. */
  scopes?: string[];
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
}

/** Scopes from `AUTOLOADER_SCOPES` (comma-separated), else the defaults. */
export function bigQueryScopes(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env.AUTOLOADER_SCOPES?.split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  return fromEnv?.length ? fromEnv : [...DEFAULT_SCOPES];
}

export function createBigQueryClient(options: BigQueryClientOptions = {}): BigQueryClient {
  const env = options.env ?? process.env;
  const auth = options.auth ?? new GoogleAuth({ scopes: options.scopes ?? bigQueryScopes(env) });
  const retry = retryPolicy(options.retry);
  const timeout = options.fetchTimeoutMs ?? 30_000;
  const baseUrl = bigQueryBaseUrl(env);

  /** One HTTP call, its failure turned into a RetryableError / PermanentError where known. */
  async function call(
    what: string,
    jobId: string,
    method: 'GET' | 'POST',
    url: string,
    data?: unknown,
  ) {
    try {
      return await auth.request<unknown>({
        method,
        url,
        data,
        headers: data === undefined ? {} : { 'Content-Type': 'application/json' },
        responseType: 'json',
        timeout,
        retry: false,
      });
    } catch (error) {
      throw jobCallError(error, what, jobId);
    }
  }

  async function getJob(projectId: string, jobId: string, location: string): Promise<unknown> {
    const url = jobsGetUrl(baseUrl, projectId, jobId, location);
    return withRetry(async () => (await call('jobs.get', jobId, 'GET', url)).data, retry);
  }

  /**
   * A 200 answer means the job exists: it is `submitted` even when `status.errorResult` is
   * already set (the load failed at once). Whether the load succeeded is a later question.
   */
  async function insertJob(plan: LoadPlan): Promise<InsertResult> {
    const url = jobsInsertUrl(baseUrl, plan.projectId);
    try {
      const response = await withRetry(
        () => call('jobs.insert', plan.jobId, 'POST', url, plan.job),
        retry,
      );
      return { outcome: 'submitted', job: response.data };
    } catch (error) {
      if (!isDuplicateInsert(error)) throw error;
    }
    // 409 duplicate: this job id was inserted before (a redelivery, or an earlier attempt
    // whose answer was lost). The existing job is the result.
    const job = await getJob(plan.projectId, plan.jobId, plan.location);
    return { outcome: 'duplicate', job };
  }

  return { insertJob, getJob };
}
