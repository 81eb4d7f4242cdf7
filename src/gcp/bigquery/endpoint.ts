/**
 * Where BigQuery's REST API lives. `BIGQUERY_EMULATOR_HOST` (as Google's own clients read
 * it: `host:port` or a URL) replaces the public endpoint, so a local jobs API can stand in.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert
 */
export const BIGQUERY_ENDPOINT = 'https://bigquery.googleapis.com';

/** `http://host:port` for `host:port`; a URL as given, without trailing slashes. */
export function bigQueryBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const emulator = env.BIGQUERY_EMULATOR_HOST?.trim();
  if (!emulator) return BIGQUERY_ENDPOINT;
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(emulator) ? emulator : `http://${emulator}`;
  return url.replace(/\/+$/, '');
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
