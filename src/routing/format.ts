/**
 * The source format a file's extension implies. `.gz` is looked through for CSV and JSON
 * only: BigQuery decompresses whole-file gzip for those, while Avro, Parquet and ORC compress
 * inside the file and cannot be read gzipped.
 * https://cloud.google.com/bigquery/docs/loading-data-cloud-storage#loading_compressed_and_uncompressed_data
 */
export type SourceFormat = 'CSV' | 'NEWLINE_DELIMITED_JSON' | 'AVRO' | 'PARQUET' | 'ORC';

export interface InferredFormat {
  sourceFormat: SourceFormat;
  /** Load options the extension implies (`.tsv` → tab-delimited CSV). */
  options: { fieldDelimiter?: string };
}

const TEXT_FORMATS = new Set<SourceFormat>(['CSV', 'NEWLINE_DELIMITED_JSON']);

const BY_EXTENSION: Record<string, InferredFormat> = {
  csv: { sourceFormat: 'CSV', options: {} },
  tsv: { sourceFormat: 'CSV', options: { fieldDelimiter: '\t' } },
  json: { sourceFormat: 'NEWLINE_DELIMITED_JSON', options: {} },
  jsonl: { sourceFormat: 'NEWLINE_DELIMITED_JSON', options: {} },
  ndjson: { sourceFormat: 'NEWLINE_DELIMITED_JSON', options: {} },
  avro: { sourceFormat: 'AVRO', options: {} },
  parquet: { sourceFormat: 'PARQUET', options: {} },
  orc: { sourceFormat: 'ORC', options: {} },
};

/** The format for an object name, or undefined when the extension says nothing known. */
export function inferFormat(name: string): InferredFormat | undefined {
  const file = (name.split('/').pop() ?? '').toLowerCase();
  const gzipped = file.endsWith('.gz');
  const base = gzipped ? file.slice(0, -3) : file;
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const found = BY_EXTENSION[base.slice(dot + 1)];
  if (!found || (gzipped && !TEXT_FORMATS.has(found.sourceFormat))) return undefined;
  return { sourceFormat: found.sourceFormat, options: { ...found.options } };
}

/** File name without folders and without its extensions (`a/b/sales.2026.csv.gz` → `sales.2026`). */
export function basenameOf(name: string): string {
  const base = name.split('/').pop() ?? '';
  const withoutGz = base.replace(/\.gz$/i, '');
  const dot = withoutGz.lastIndexOf('.');
  return dot > 0 ? withoutGz.slice(0, dot) : withoutGz;
}
