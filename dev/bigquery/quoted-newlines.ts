/**
 * BigQuery refuses a CSV field holding a newline inside quotes unless `allowQuotedNewlines`
 * is set (it is off by default); DuckDB always accepts them. This scan finds the first such
 * field so the local server fails the same loads BigQuery fails.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad.FIELDS.allow_quoted_newlines
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/** Byte offset of the start of the first row with a quoted newline, or undefined. */
export function findQuotedNewline(bytes: Buffer, quote: string): number | undefined {
  if (quote === '') return undefined;
  const q = quote.charCodeAt(0);
  let inQuotes = false;
  let rowStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    // A doubled quote inside quotes toggles twice: still inside, as RFC 4180 escaping means.
    if (byte === q) inQuotes = !inQuotes;
    else if (byte === 0x0a || byte === 0x0d) {
      if (inQuotes) return rowStart;
      rowStart = i + 1;
    }
  }
  return undefined;
}

export async function fileQuotedNewline(
  path: string,
  gzip: boolean,
  quote: string,
): Promise<number | undefined> {
  const raw = await readFile(path);
  return findQuotedNewline(gzip ? gunzipSync(raw) : raw, quote);
}
