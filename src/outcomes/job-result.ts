/**
 * What a BigQuery Job resource says about a load's outcome. Pure.
 * A job is finished when `status.state` is `DONE`; it failed when `status.errorResult` is
 * set (`status.errors` may list row problems even on success). Statistics are int64 strings.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatus
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatistics3
 */

export interface JobError {
  reason?: string;
  message?: string;
  location?: string;
}

export type JobResult =
  | { state: 'running' }
  | ({ state: 'loaded'; rows?: string; bytes?: string; errors: JobError[] } & QueryCounts)
  | ({
      state: 'failed';
      reason: string;
      rows?: string;
      bytes?: string;
      errors: JobError[];
    } & QueryCounts);

/**
 * A staged load (docs/transforms.md) is recorded from its query job: `rows` are the rows it
 * inserted, `updated` the rows a dedupe MERGE replaced.
 */
export interface QueryCounts {
  queryJobId?: string;
  updated?: string;
}

export type FinishedJob = Exclude<JobResult, { state: 'running' }>;

/** Reads `status` and `statistics.load` of a Job resource (from jobs.get or an audit log). */
export function jobResult(job: unknown): JobResult {
  const { status, statistics } = (job ?? {}) as {
    status?: { state?: unknown; errorResult?: unknown; errors?: unknown };
    statistics?: { load?: { outputRows?: unknown; inputFileBytes?: unknown } };
  };
  if (status?.state !== 'DONE') return { state: 'running' };
  const errors = Array.isArray(status.errors) ? status.errors.map(jobError) : [];
  const counts = {
    ...int64('rows', statistics?.load?.outputRows),
    ...int64('bytes', statistics?.load?.inputFileBytes),
  };
  if (status.errorResult) {
    const reason = errorText(jobError(status.errorResult)) + unknownFields(errors);
    return { state: 'failed', reason, ...counts, errors };
  }
  return { state: 'loaded', ...counts, errors };
}

/**
 * What a staged load's query job says (DML statistics: int64 strings). Rows are those the
 * statement inserted; a MERGE's updates are counted apart.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/DmlStats
 */
export function queryResult(job: unknown, queryJobId: string): JobResult {
  const result = jobResult(job);
  if (result.state === 'running') return result;
  const { dmlStats } = ((job as { statistics?: { query?: { dmlStats?: Record<string, unknown> } } })
    ?.statistics?.query ?? {}) as { dmlStats?: Record<string, unknown> };
  const counts = {
    queryJobId,
    ...int64('rows', dmlStats?.insertedRowCount),
    ...int64('updated', dmlStats?.updatedRowCount),
  };
  if (result.state === 'failed') {
    return { ...result, ...counts, reason: `query job ${queryJobId} failed: ${result.reason}` };
  }
  return { ...result, ...counts };
}

/**
 * BigQuery's errorResult for a file with fields the table lacks is the generic "too many
 * errors"; the names are in `errors[]` ("No such field: color."). Named on the reason, so
 * the marker and the log line say which columns to add (or which schemaEvolution to use).
 */
function unknownFields(errors: readonly JobError[]): string {
  const names = new Set<string>();
  for (const e of errors) {
    for (const m of (e.message ?? '').matchAll(/No such field: ([^\s.]+)/g))
      names.add(m[1] as string);
  }
  if (names.size === 0) return '';
  return ` (the file has columns the table does not: ${[...names].slice(0, 20).join(', ')})`;
}

/** `reason: message`, the way logs and markers show a job error. */
export function errorText(error: JobError): string {
  return `${error.reason ?? 'error'}: ${error.message ?? 'no message'}`;
}

function jobError(value: unknown): JobError {
  const { reason, message, location } = (value ?? {}) as Record<string, unknown>;
  return {
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof message === 'string' ? { message } : {}),
    ...(typeof location === 'string' ? { location } : {}),
  };
}

function int64<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  if (typeof value === 'string' && /^\d+$/.test(value))
    return { [key]: value } as Record<K, string>;
  if (typeof value === 'number' && Number.isSafeInteger(value))
    return { [key]: String(value) } as Record<K, string>;
  return {};
}
