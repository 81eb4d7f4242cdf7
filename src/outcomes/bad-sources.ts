/**
 * Which sources of a failed load job its errors blame. Pure. BigQuery names a file that
 * stopped a load in `status.errors[]`: the entry's `location` is the file's URI, and
 * row-level detail messages end with `File: <uri>`. Only exact member URIs count, so
 * `gs://b/a.csv` is never blamed for an error about `gs://b/a.csv.gz`.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/ErrorProto
 */
import type { JobError } from './job-result';

const FILE_MARK = 'File: ';

/** Each blamed member URI with the first error naming it, in the errors' order. */
export function badSources(
  errors: readonly JobError[],
  sourceUris: readonly string[],
): Map<string, JobError> {
  const members = new Set(sourceUris);
  const bad = new Map<string, JobError>();
  for (const error of errors) {
    const uri = blamed(error, members);
    if (uri !== undefined && !bad.has(uri)) bad.set(uri, error);
  }
  return bad;
}

function blamed(error: JobError, members: ReadonlySet<string>): string | undefined {
  if (error.location !== undefined && members.has(error.location)) return error.location;
  const message = error.message?.trimEnd() ?? '';
  // The longest member the message ends with: a name may itself contain "File: ".
  let found: string | undefined;
  for (let at = message.indexOf(FILE_MARK); at >= 0; at = message.indexOf(FILE_MARK, at + 1)) {
    const uri = message.slice(at + FILE_MARK.length);
    if (members.has(uri) && (found === undefined || uri.length > found.length)) found = uri;
  }
  return found;
}
