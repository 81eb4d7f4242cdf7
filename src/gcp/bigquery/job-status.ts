/**
 * Whether a job that jobs.insert (or jobs.get after a 409) returned has already failed.
 * Both answer 200 for a job that is DONE with an `errorResult` — a missing dataset, a bad
 * schema — so the call succeeding is not the load succeeding.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatus
 */

/** `reason: message` of a job that is DONE with an errorResult, else undefined. */
export function jobFailure(job: unknown): string | undefined {
  const status = (job as { status?: { state?: unknown; errorResult?: unknown } } | undefined)
    ?.status;
  if (status?.state !== 'DONE' || !status.errorResult) return undefined;
  const { reason, message } = status.errorResult as { reason?: unknown; message?: unknown };
  return `${typeof reason === 'string' ? reason : 'error'}: ${typeof message === 'string' ? message : 'no message'}`;
}
