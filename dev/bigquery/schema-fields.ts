/** A load's `schema.fields`: BigQuery column names and types as DuckDB columns. */
import { invalid, notSupported } from './errors';
import { isRecord } from './field-parsers';
import type { ColumnSpec } from './load-spec';

/** BigQuery type → DuckDB type. https://cloud.google.com/bigquery/docs/schemas#standard_sql_data_types */
const TYPES: Record<string, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  INTEGER: 'BIGINT',
  FLOAT: 'DOUBLE',
  FLOAT64: 'DOUBLE',
  NUMERIC: 'DECIMAL(38,9)',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  DATETIME: 'TIMESTAMP',
  TIMESTAMP: 'TIMESTAMPTZ',
  TIME: 'TIME',
  BYTES: 'BLOB',
  JSON: 'JSON',
};

const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;

/** `where`: how errors name the schema (`load.schema`, `schema`). */
export function parseColumns(schema: unknown, where = 'load.schema'): ColumnSpec[] {
  if (!isRecord(schema) || !Array.isArray(schema.fields) || schema.fields.length === 0) {
    throw invalid(`${where}.fields must be a non-empty array`);
  }
  const seen = new Set<string>();
  return schema.fields.map((field: unknown, i) => {
    if (!isRecord(field) || typeof field.name !== 'string' || typeof field.type !== 'string') {
      throw invalid(`${where}.fields[${i}] needs a string name and type`);
    }
    if (!COLUMN_NAME.test(field.name)) {
      throw invalid(`${where}.fields[${i}]: invalid field name "${field.name}"`);
    }
    if (seen.has(field.name.toLowerCase())) {
      throw invalid(`${where}.fields[${i}]: duplicate field name "${field.name}"`);
    }
    seen.add(field.name.toLowerCase());
    const duckType = TYPES[field.type.toUpperCase()];
    if (!duckType) throw notSupported(`Field type ${field.type} (field ${field.name})`);
    const mode = field.mode ?? 'NULLABLE';
    if (mode !== 'NULLABLE' && mode !== 'REQUIRED') {
      throw notSupported(`Field mode ${String(mode)} (field ${field.name})`);
    }
    return { name: field.name, duckType, required: mode === 'REQUIRED' };
  });
}
