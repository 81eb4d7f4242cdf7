/**
 * The rows a load cannot read: DuckDB's rejected CSV lines, bad JSON lines, quoted newlines a
 * load does not allow, and the failure once there are more than maxBadRecords.
 */
import { writeFile } from 'node:fs/promises';
import type { ErrorProto } from './errors';
import { LoadFailedError, type LoadResult, MAX_LISTED_ERRORS } from './load-outcome';
import type { LoadSpec } from './load-spec';
import { scanNdjsonFile } from './ndjson';
import { fileQuotedNewline } from './quoted-newlines';
import type { SourceFile } from './sources';
import type { Target } from './target-table';
import { ident, type Warehouse } from './warehouse';

export async function collectRejects(
  warehouse: Warehouse,
  rejectsTable: string,
  file: SourceFile,
): Promise<{ count: number; errors: ErrorProto[] }> {
  const { rows } = await warehouse.rows(
    `SELECT line, min(error_message) AS message FROM ${ident(rejectsTable)} GROUP BY line ORDER BY line`,
  );
  await warehouse.rows(`DROP TABLE IF EXISTS ${ident(rejectsTable)}`);
  await warehouse.rows(`DROP TABLE IF EXISTS ${ident(`${rejectsTable}_scan`)}`);
  return {
    count: rows.length,
    errors: rows.slice(0, MAX_LISTED_ERRORS).map((row) => ({
      reason: 'invalid',
      location: file.uri,
      message: `Error while reading data, error message: ${String(row.message)}; line_number: ${String(row.line)} File: ${file.uri}`,
    })),
  };
}

export async function refuseQuotedNewlines(spec: LoadSpec, file: SourceFile): Promise<void> {
  const position = await fileQuotedNewline(file.path, file.gzip, spec.quote);
  if (position !== undefined) {
    throw new LoadFailedError(
      'invalid',
      `Error while reading data, error message: Error detected while parsing row starting at position: ${position}. Error: Missing close double quote (") character (a quoted newline needs allowQuotedNewlines). File: ${file.uri}`,
      [],
      file.uri,
    );
  }
}

/** Counts the file's bad JSON records; answers a file holding only the good lines. */
export async function goodJsonLines(
  spec: LoadSpec,
  file: SourceFile,
  target: Target,
  result: LoadResult,
  temporaryFiles: string[],
): Promise<SourceFile> {
  const known = spec.ignoreUnknownValues ? undefined : target.columns.map((c) => c.name);
  const scan = await scanNdjsonFile(file.path, file.gzip, known);
  result.badRecords += scan.bad.length;
  result.errors.push(
    ...scan.bad.slice(0, MAX_LISTED_ERRORS).map(({ line, message }) => ({
      reason: 'invalid',
      location: file.uri,
      message: `Error while reading data, error message: ${message} line_number: ${line} File: ${file.uri}`,
    })),
  );
  if (scan.cleaned === undefined) return file;
  // Beside the staged file: the only folder DuckDB may read (staging.ts).
  const path = `${file.path}.good`;
  await writeFile(path, scan.cleaned);
  temporaryFiles.push(path);
  return { ...file, path, gzip: false };
}

export function tooManyErrors(
  spec: LoadSpec,
  result: LoadResult,
  file: SourceFile,
): LoadFailedError {
  return new LoadFailedError(
    'invalid',
    `Error while reading data, error message: ${spec.format === 'CSV' ? 'CSV' : 'JSON'} table encountered too many errors, giving up. Rows: ${result.outputRows + result.badRecords}; errors: ${result.badRecords}; max bad: ${spec.maxBadRecords}. Please look into the errors[] collection for more details.`,
    result.errors.slice(0, MAX_LISTED_ERRORS),
    file.uri,
  );
}
