/**
 * Executes one query job (or validates it, for a dry run): the GoogleSQL statement is
 * translated (sql/statement.ts), the tables it names must exist, and it runs in one
 * transaction — a failure changes nothing. Call inside `Warehouse.exclusive`.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatistics2
 */
import { BigQueryApiError, invalidQuery, refusedConstruct } from './errors';
import { firstLine } from './load-outcome';
import type { QueryJobSpec } from './query-config';
import { type ResultColumn, writeQueryResult } from './query-destination';
import { type StatementType, type TranslatedStatement, translateStatement } from './sql/statement';
import type { TableRef } from './sql/translate';
import { standardType } from './sql-types';
import { PARTITION_COLUMN, type Warehouse } from './warehouse';

/** `statistics.query` of a finished (or dry-run) query job. */
export interface QueryStatistics {
  statementType: StatementType;
  totalBytesProcessed: string;
  numDmlAffectedRows?: string;
  dmlStats?: { insertedRowCount: string; updatedRowCount: string; deletedRowCount: string };
  schema?: { fields: { name: string; type: string; mode: 'NULLABLE' }[] };
}

/** DuckDB's errors, said as a query error (their kind moved to the end). */
function queryError(error: unknown): BigQueryApiError {
  if (error instanceof BigQueryApiError) return error;
  const line = firstLine(String((error as Error)?.message ?? error));
  const kind = /^([A-Za-z ]+ Error): (.*)$/.exec(line);
  return invalidQuery(kind ? `${kind[2]} (DuckDB ${kind[1]}, running the translated query)` : line);
}

async function assertTablesExist(warehouse: Warehouse, spec: QueryJobSpec, tables: TableRef[]) {
  for (const ref of tables) {
    if (await warehouse.columns(ref.datasetId, ref.tableId)) continue;
    const project = ref.projectId ?? spec.projectId;
    const dataset = (await warehouse.datasets()).includes(ref.datasetId);
    const what = dataset
      ? `Table ${project}:${ref.datasetId}.${ref.tableId}`
      : `Dataset ${project}:${ref.datasetId}`;
    throw new BigQueryApiError(
      404,
      'notFound',
      `Not found: ${what} was not found in location ${spec.location}`,
    );
  }
}

/** The columns a statement answers, with BigQuery-relevant DuckDB type names (JSON kept). */
async function resultColumns(warehouse: Warehouse, sql: string): Promise<ResultColumn[]> {
  const prepared = await warehouse.connection.prepare(sql);
  try {
    return Array.from({ length: prepared.columnCount }, (_, i) => {
      const type = prepared.columnType(i);
      return { name: prepared.columnName(i), duckType: type.alias ?? type.toString() };
    });
  } finally {
    prepared.destroySync();
  }
}

/** INT64 may go into NUMERIC and FLOAT64 columns, NUMERIC into FLOAT64; nothing else converts. */
const COERCIONS = new Set(['INT64>NUMERIC', 'INT64>FLOAT64', 'NUMERIC>FLOAT64']);

/** GoogleSQL refuses an INSERT whose column types differ; DuckDB would cast silently. */
async function checkInsertTypes(warehouse: Warehouse, statement: TranslatedStatement) {
  const { target, insert } = statement;
  if (!target || !insert) return;
  const table = (await warehouse.columns(target.datasetId, target.tableId)) ?? [];
  const written = insert.columns
    ? insert.columns.map((name) => {
        const column = table.find((c) => c.name.toLowerCase() === name.toLowerCase());
        if (!column) throw invalidQuery(`Column ${name} is not present in table ${target.tableId}`);
        return column;
      })
    : table.filter((c) => c.name !== PARTITION_COLUMN);
  const source = await resultColumns(warehouse, insert.source);
  if (source.length !== written.length) {
    throw invalidQuery(
      `Inserted row has wrong column count; Has ${source.length}, expected ${written.length}`,
    );
  }
  source.forEach((column, i) => {
    const into = written[i];
    // DuckDB types NULL and small integer literals INTEGER: no type to check them by.
    if (!into || column.duckType === 'INTEGER') return;
    const from = standardType(column.duckType);
    const to = standardType(into.duckType);
    if (!from || !to || from === to || COERCIONS.has(`${from}>${to}`)) return;
    throw invalidQuery(
      `Query column ${i + 1} has type ${from} which cannot be inserted into column ${into.name}, which has type ${to}`,
    );
  });
}

async function refusePartitionedTarget(warehouse: Warehouse, target: TableRef | undefined) {
  const columns = target && (await warehouse.columns(target.datasetId, target.tableId));
  if (columns?.some((c) => c.name === PARTITION_COLUMN)) {
    throw refusedConstruct('DML on an ingestion-time partitioned table');
  }
}

function count(rows: Record<string, unknown>[]): number {
  return Number(rows[0]?.Count ?? 0);
}

async function execute(
  warehouse: Warehouse,
  spec: QueryJobSpec,
  statement: TranslatedStatement,
): Promise<QueryStatistics> {
  const stats: QueryStatistics = {
    statementType: statement.statementType,
    totalBytesProcessed: '0',
  };
  if (statement.statementType === 'SELECT') {
    const columns = await resultColumns(warehouse, statement.sql);
    stats.schema = { fields: schemaFields(columns) };
    if (spec.query.destination) await writeQueryResult(warehouse, spec, statement.sql, columns);
    else await warehouse.connection.run(statement.sql);
    return stats;
  }
  await refusePartitionedTarget(warehouse, statement.target);
  await checkInsertTypes(warehouse, statement);
  if (statement.ambiguousMerge) {
    const { rows } = await warehouse.rows(statement.ambiguousMerge);
    if (rows.length > 0) {
      throw invalidQuery('UPDATE/MERGE must match at most one source row for each target row');
    }
  }
  const { rows } = await warehouse.rows(statement.sql);
  const changed = { INSERT: 0, UPDATE: 0, DELETE: 0 };
  if (statement.statementType === 'MERGE') {
    for (const row of rows) changed[row.merge_action as keyof typeof changed] += 1;
  } else changed[statement.statementType] = count(rows);
  stats.numDmlAffectedRows = String(changed.INSERT + changed.UPDATE + changed.DELETE);
  stats.dmlStats = {
    insertedRowCount: String(changed.INSERT),
    updatedRowCount: String(changed.UPDATE),
    deletedRowCount: String(changed.DELETE),
  };
  return stats;
}

function schemaFields(columns: ResultColumn[]): NonNullable<QueryStatistics['schema']>['fields'] {
  return columns.map((c) => ({
    name: c.name,
    type: standardType(c.duckType) ?? 'STRING',
    mode: 'NULLABLE' as const,
  }));
}

/**
 * Runs the job's statement in one transaction. `beforeCommit` runs inside it (the job store
 * records the job there, so rows and job record land together or not at all).
 */
export async function runQuery(
  warehouse: Warehouse,
  spec: QueryJobSpec,
  now: Date,
  beforeCommit: (stats: QueryStatistics) => Promise<void>,
): Promise<QueryStatistics> {
  const statement = translateStatement(spec.query.sql, now);
  await warehouse.rows('BEGIN TRANSACTION');
  try {
    await assertTablesExist(warehouse, spec, statement.tables);
    const stats = await execute(warehouse, spec, statement);
    await beforeCommit(stats);
    await warehouse.rows('COMMIT');
    return stats;
  } catch (error) {
    await warehouse.rows('ROLLBACK');
    throw queryError(error);
  }
}

/** Validates without running: the statement kind and, for a SELECT, the result schema. */
export async function dryRunQuery(
  warehouse: Warehouse,
  spec: QueryJobSpec,
  now: Date,
): Promise<QueryStatistics> {
  try {
    const statement = translateStatement(spec.query.sql, now);
    await assertTablesExist(warehouse, spec, statement.tables);
    const columns = await resultColumns(warehouse, statement.sql);
    const stats: QueryStatistics = {
      statementType: statement.statementType,
      totalBytesProcessed: '0',
    };
    if (statement.statementType === 'SELECT') stats.schema = { fields: schemaFields(columns) };
    return stats;
  } catch (error) {
    throw queryError(error);
  }
}
