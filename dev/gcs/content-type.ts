/** The content type a hand-dropped file gets, guessed from its extension like `gcloud storage cp` does. */
const BY_EXTENSION: Record<string, string> = {
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.ndjson': 'application/x-ndjson',
  '.gz': 'application/gzip',
  '.parquet': 'application/vnd.apache.parquet',
  '.avro': 'application/avro',
  '.orc': 'application/octet-stream',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
};

export function guessContentType(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot).toLowerCase() : '';
  return BY_EXTENSION[ext] ?? 'application/octet-stream';
}
