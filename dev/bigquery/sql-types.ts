/**
 * DuckDB column types → BigQuery type names: GoogleSQL names (INT64, FLOAT64, BOOL…) for query
 * schemas, the legacy names (INTEGER, FLOAT, BOOLEAN…) that tables.get answers.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema
 */

const INTEGER_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

/** The GoogleSQL type of a DuckDB type; undefined for types BigQuery has no name for. */
export function standardType(duckType: string): string | undefined {
  const t = duckType.toUpperCase();
  if (INTEGER_TYPES.test(t)) return 'INT64';
  if (t === 'DOUBLE' || t === 'FLOAT') return 'FLOAT64';
  if (t.startsWith('DECIMAL')) return 'NUMERIC';
  if (t === 'BOOLEAN') return 'BOOL';
  if (t === 'VARCHAR') return 'STRING';
  if (t === 'BLOB') return 'BYTES';
  if (t === 'TIMESTAMP WITH TIME ZONE') return 'TIMESTAMP';
  if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(t)) return 'DATETIME';
  if (t === 'DATE' || t === 'TIME' || t === 'JSON') return t;
  return undefined;
}

const LEGACY_NAMES: Record<string, string> = {
  INT64: 'INTEGER',
  FLOAT64: 'FLOAT',
  BOOL: 'BOOLEAN',
};

/** The legacy type name tables.get and jobs.query use; STRING for anything unnamed. */
export function legacyType(duckType: string): string {
  const standard = standardType(duckType) ?? 'STRING';
  return LEGACY_NAMES[standard] ?? standard;
}
