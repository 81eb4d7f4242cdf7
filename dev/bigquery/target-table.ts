/**
 * The load's destination table: found or created (schema given or detected, partition column),
 * then the write disposition applied (append, truncate, must be empty).
 */

import { LoadFailedError } from './load-outcome';
import type { ColumnSpec, LoadSpec, PartitionType } from './load-spec';
import { timestampLiteral } from './partition';
import { detectColumns } from './read-plan';
import { evolveTable } from './schema-update';
import type { SourceFile } from './sources';
import {
  type ColumnInfo,
  ident,
  literal,
  PARTITION_COLUMN,
  tableName,
  type Warehouse,
} from './warehouse';

export interface Target {
  table: string;
  label: string;
  columns: ColumnSpec[];
  partitionType: PartitionType | undefined;
  /** Columns relaxed by ALLOW_FIELD_RELAXATION until the rows show they hold nulls. */
  provisional: string[];
}

/** Creates `dataset.table` (and the dataset); also used by tables.insert. */
export async function createTable(
  warehouse: Warehouse,
  datasetId: string,
  table: string,
  columns: ColumnSpec[],
  partitionType: PartitionType | undefined,
) {
  const definitions = columns.map(
    (c) => `${ident(c.name)} ${c.duckType}${c.required ? ' NOT NULL' : ''}`,
  );
  if (partitionType) definitions.push(`${ident(PARTITION_COLUMN)} TIMESTAMPTZ NOT NULL`);
  // A dev server creates datasets on demand; BigQuery would answer notFound for a missing one.
  await warehouse.rows(`CREATE SCHEMA IF NOT EXISTS ${ident(datasetId)}`);
  await warehouse.rows(`CREATE TABLE ${table} (${definitions.join(', ')})`);
  if (partitionType) {
    // The partition type is kept as the column comment so the table describes itself.
    await warehouse.rows(
      `COMMENT ON COLUMN ${table}.${ident(PARTITION_COLUMN)} IS ${literal(partitionType)}`,
    );
  }
}

/**
 * The columns a detected file brings, in file order. A CSV without a header row has no
 * names: it maps to the table's columns by position (extra columns keep detected names).
 */
function fileColumns(
  spec: LoadSpec,
  detected: { columns: ColumnSpec[]; csvHeader: boolean },
  table: ColumnSpec[],
): ColumnSpec[] {
  if (spec.format !== 'CSV' || detected.csvHeader) return detected.columns;
  return detected.columns.map((c, i) => table[i] ?? c);
}

function sameColumns(a: ColumnSpec[], b: ColumnInfo[]): boolean {
  return (
    a.length === b.length && a.every((c, i) => c.name.toLowerCase() === b[i]?.name.toLowerCase())
  );
}

/** Finds or creates the destination and applies the write disposition. */
export async function prepareTarget(
  warehouse: Warehouse,
  spec: LoadSpec,
  first: SourceFile,
): Promise<{ target: Target; csvHeader: boolean | undefined }> {
  const { projectId, datasetId, tableId, partition } = spec.destination;
  const table = tableName(datasetId, tableId);
  const label = `${projectId}:${datasetId}.${tableId}`;
  const existing = await warehouse.columns(datasetId, tableId);
  let csvHeader: boolean | undefined;

  if (!existing) {
    if (spec.createDisposition === 'CREATE_NEVER') {
      throw new LoadFailedError('notFound', `Not found: Table ${label}`);
    }
    let columns = spec.columns;
    if (!columns) {
      if (!spec.autodetect && spec.format !== 'PARQUET') {
        throw new LoadFailedError('invalid', 'No schema specified on job or table.');
      }
      ({ columns, csvHeader } = await detectColumns(warehouse, spec, first));
    }
    const partitionType = spec.partitionType ?? partition?.type;
    await createTable(warehouse, datasetId, table, columns, partitionType);
    return { target: { table, label, columns, partitionType, provisional: [] }, csvHeader };
  }

  const partitionColumn = existing.find((c) => c.name === PARTITION_COLUMN);
  const partitionType = (partitionColumn?.comment ?? undefined) as PartitionType | undefined;
  if (partition && !partitionType) {
    throw new LoadFailedError(
      'invalid',
      `Cannot load into a partition of ${label}: the table is not partitioned`,
    );
  }
  if (partition && partition.type !== partitionType) {
    throw new LoadFailedError(
      'invalid',
      `Partition decorator of type ${partition.type} does not match ${label} partitioned by ${partitionType}`,
    );
  }
  const dataColumns = existing.filter((c) => c !== partitionColumn);
  let columns: ColumnSpec[] = dataColumns.map((c) => ({
    name: c.name,
    duckType: c.duckType,
    required: !c.nullable,
  }));
  const where = partition
    ? `${ident(PARTITION_COLUMN)} = ${timestampLiteral(partition.start)}`
    : 'TRUE';

  const evolves = spec.schemaUpdate.addition || spec.schemaUpdate.relaxation;
  let provisional: string[] = [];
  // The file's columns (declared or detected) against the table's, under schemaUpdateOptions.
  const evolve = (incoming: Parameters<typeof evolveTable>[4]) =>
    evolveTable(warehouse, table, label, columns, incoming, spec.schemaUpdate);
  if (spec.columns && evolves) {
    ({ columns, provisional } = await evolve({ columns: spec.columns, declared: true }));
  } else if (spec.columns && !sameColumns(spec.columns, dataColumns)) {
    if (spec.writeDisposition !== 'WRITE_TRUNCATE' || partition) {
      const added = spec.columns.find(
        (c) => !dataColumns.some((d) => d.name.toLowerCase() === c.name.toLowerCase()),
      );
      const detail = added ? ` Cannot add fields (field: ${added.name})` : '';
      throw new LoadFailedError(
        'invalid',
        `Provided Schema does not match Table ${label}.${detail}`,
      );
    }
    // WRITE_TRUNCATE of a whole table replaces its schema too.
    await warehouse.rows(`DROP TABLE ${table}`);
    await createTable(warehouse, datasetId, table, spec.columns, partitionType);
    columns = spec.columns;
  } else if (!spec.columns && (spec.autodetect || (evolves && spec.format === 'PARQUET'))) {
    const detected = await detectColumns(warehouse, spec, first);
    csvHeader = detected.csvHeader;
    const incoming = { columns: fileColumns(spec, detected, columns), declared: false };
    ({ columns, provisional } = await evolve(incoming));
  }
  if (spec.writeDisposition === 'WRITE_TRUNCATE') {
    await warehouse.rows(`DELETE FROM ${table} WHERE ${where}`);
  } else if (spec.writeDisposition === 'WRITE_EMPTY') {
    if ((await warehouse.count(datasetId, tableId, where)) > 0) {
      throw new LoadFailedError('duplicate', `Already Exists: Table ${label}`);
    }
  }
  return { target: { table, label, columns, partitionType, provisional }, csvHeader };
}
