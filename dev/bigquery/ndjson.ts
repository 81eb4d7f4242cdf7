/**
 * Finds the bad records of a newline-delimited JSON file the way BigQuery counts them: a line
 * that is not a JSON object, or (without ignoreUnknownValues) one naming a field the table
 * does not have. DuckDB's reader would turn a malformed line into a row of NULLs instead.
 * https://cloud.google.com/bigquery/docs/loading-data-cloud-storage-json
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

export interface NdjsonScan {
  /** The good lines, when some were bad (else undefined: read the file as is). */
  cleaned?: string;
  bad: { line: number; message: string }[];
}

/** `known`: the table's column names (case-insensitive); undefined = accept any field. */
export function scanNdjson(text: string, known: string[] | undefined): NdjsonScan {
  const names = known && new Set(known.map((n) => n.toLowerCase()));
  const good: string[] = [];
  const bad: NdjsonScan['bad'] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      bad.push({ line: index + 1, message: `JSON parsing error: ${(cause as Error).message}` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      bad.push({ line: index + 1, message: 'JSON parsing error: a row must be a JSON object' });
      return;
    }
    const unknown = names && Object.keys(value).find((k) => !names.has(k.toLowerCase()));
    if (unknown !== undefined) {
      bad.push({ line: index + 1, message: `JSON parsing error: No such field: ${unknown}.` });
      return;
    }
    good.push(line);
  });
  return bad.length > 0 ? { cleaned: `${good.join('\n')}\n`, bad } : { bad };
}

export async function scanNdjsonFile(
  path: string,
  gzip: boolean,
  known: string[] | undefined,
): Promise<NdjsonScan> {
  const raw = await readFile(path);
  return scanNdjson((gzip ? gunzipSync(raw) : raw).toString('utf8'), known);
}
