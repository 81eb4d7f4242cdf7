/**
 * Schema evolution of an existing table by a load or a query: `schemaUpdateOptions`
 * ALLOW_FIELD_ADDITION adds the fields the job brings as NULLABLE columns,
 * ALLOW_FIELD_RELAXATION turns REQUIRED columns NULLABLE. Both run inside the job's
 * transaction, so a failed job leaves the schema as it was.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad (schemaUpdateOptions)
 */
import { invalid } from './errors';
import { LoadFailedError } from './load-outcome';
import type { ColumnSpec } from './load-spec';
import { legacyType } from './sql-types';
import { ident, type Warehouse } from './warehouse';

export interface SchemaUpdateOptions {
  addition: boolean;
  relaxation: boolean;
}

export const NO_SCHEMA_UPDATES: SchemaUpdateOptions = { addition: false, relaxation: false };

/** Validates `schemaUpdateOptions` against the job's write disposition (BigQuery's rule). */
export function parseSchemaUpdateOptions(
  value: unknown,
  writeDisposition: string,
  partitionDecorator: boolean,
): SchemaUpdateOptions {
  if (value === undefined || value === null) return NO_SCHEMA_UPDATES;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalid('schemaUpdateOptions must be an array of strings');
  }
  for (const option of value) {
    if (option !== 'ALLOW_FIELD_ADDITION' && option !== 'ALLOW_FIELD_RELAXATION') {
      throw invalid(`Invalid schema update option: ${option}`);
    }
  }
  const appends = writeDisposition === 'WRITE_APPEND';
  const truncatesPartition = writeDisposition === 'WRITE_TRUNCATE' && partitionDecorator;
  if (value.length > 0 && !appends && !truncatesPartition) {
    throw invalid(
      'Schema update options should only be specified with WRITE_APPEND disposition, or with WRITE_TRUNCATE disposition on a table partition.',
    );
  }
  return {
    addition: value.includes('ALLOW_FIELD_ADDITION'),
    relaxation: value.includes('ALLOW_FIELD_RELAXATION'),
  };
}

export interface IncomingSchema {
  /** The fields the job brings, in the file's (or the query result's) order. */
  columns: ColumnSpec[];
  /** Given by the job (types must match) rather than detected (table types win). */
  declared: boolean;
}

export interface Evolution {
  /** The columns to read, in the incoming order, with the table's types. */
  columns: ColumnSpec[];
  /** REQUIRED columns relaxed only in case the data leaves them null (see `tighten`). */
  provisional: string[];
}

function mismatch(label: string, detail: string): LoadFailedError {
  return new LoadFailedError('invalid', `Provided Schema does not match Table ${label}. ${detail}`);
}

/**
 * Checks the incoming fields against the table and applies what the options allow: new
 * fields need ALLOW_FIELD_ADDITION, a REQUIRED column left out or declared NULLABLE is
 * relaxed with ALLOW_FIELD_RELAXATION.
 */
export async function evolveTable(
  warehouse: Warehouse,
  table: string,
  label: string,
  existing: ColumnSpec[],
  incoming: IncomingSchema,
  options: SchemaUpdateOptions,
): Promise<Evolution> {
  const byName = new Map(existing.map((c) => [c.name.toLowerCase(), c]));
  const added = incoming.columns.filter((c) => !byName.has(c.name.toLowerCase()));
  if (added.length > 0 && !options.addition) {
    throw mismatch(label, `Cannot add fields (field: ${added[0]?.name})`);
  }
  const columns = incoming.columns.map((c) => {
    const current = byName.get(c.name.toLowerCase());
    if (!current) return { ...c, required: false };
    if (incoming.declared && legacyType(current.duckType) !== legacyType(c.duckType)) {
      throw mismatch(
        label,
        `Field ${c.name} has changed type from ${legacyType(current.duckType)} to ${legacyType(c.duckType)}`,
      );
    }
    return { ...current };
  });
  for (const column of added) {
    await warehouse.rows(
      `ALTER TABLE ${table} ADD COLUMN ${ident(column.name)} ${column.duckType}`,
    );
  }
  const provisional: string[] = [];
  if (options.relaxation) {
    for (const column of existing.filter((c) => c.required)) {
      const declared = incoming.columns.find(
        (c) => c.name.toLowerCase() === column.name.toLowerCase(),
      );
      await warehouse.rows(`ALTER TABLE ${table} ALTER COLUMN ${ident(column.name)} DROP NOT NULL`);
      // A declared NULLABLE field is the job's schema: relaxed for good. Otherwise the column
      // is relaxed only if the data leaves it null.
      if (!(incoming.declared && declared && !declared.required)) provisional.push(column.name);
    }
  }
  return { columns, provisional };
}

/** Restores NOT NULL on provisionally relaxed columns the job filled in every row. */
export async function tighten(warehouse: Warehouse, table: string, provisional: string[]) {
  for (const name of provisional) {
    const { rows } = await warehouse.rows(
      `SELECT count(*) AS n FROM ${table} WHERE ${ident(name)} IS NULL`,
    );
    if (Number(rows[0]?.n ?? 0) === 0) {
      await warehouse.rows(`ALTER TABLE ${table} ALTER COLUMN ${ident(name)} SET NOT NULL`);
    }
  }
}
