/**
 * A SELECT job's `destinationTable`: created (CREATE_IF_NEEDED) or required (CREATE_NEVER),
 * then written by the write disposition; an append matches columns by name and may evolve
 * the schema with `schemaUpdateOptions`.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationQuery
 */
import { BigQueryApiError, refusedConstruct } from './errors';
import { LoadFailedError } from './load-outcome';
import type { QueryJobSpec } from './query-config';
import { evolveTable, tighten } from './schema-update';
import { ident, PARTITION_COLUMN, tableName, type Warehouse } from './warehouse';

export interface ResultColumn {
  name: string;
  /** DuckDB's type name (JSON for JSON values). */
  duckType: string;
}

export async function writeQueryResult(
  warehouse: Warehouse,
  spec: QueryJobSpec,
  sql: string,
  result: ResultColumn[],
): Promise<void> {
  const destination = spec.query.destination;
  if (!destination) return;
  const { projectId, datasetId, tableId } = destination;
  const label = `${projectId}:${datasetId}.${tableId}`;
  const table = tableName(datasetId, tableId);
  const existing = await warehouse.columns(datasetId, tableId);
  if (!existing) {
    if (spec.query.createDisposition === 'CREATE_NEVER') {
      throw new BigQueryApiError(404, 'notFound', `Not found: Table ${label}`);
    }
    await warehouse.rows(`CREATE SCHEMA IF NOT EXISTS ${ident(datasetId)}`);
    await warehouse.rows(`CREATE TABLE ${table} AS ${sql}`);
    return;
  }
  if (existing.some((c) => c.name === PARTITION_COLUMN)) {
    throw refusedConstruct('A query writing to an ingestion-time partitioned table');
  }
  if (spec.query.writeDisposition === 'WRITE_TRUNCATE') {
    // BigQuery replaces the rows and the schema; the table (and its expiration) stays.
    await warehouse.rows(`CREATE OR REPLACE TABLE ${table} AS ${sql}`);
    return;
  }
  if (
    spec.query.writeDisposition === 'WRITE_EMPTY' &&
    (await warehouse.count(datasetId, tableId)) > 0
  ) {
    throw new LoadFailedError('duplicate', `Already Exists: Table ${label}`);
  }
  const current = existing.map((c) => ({
    name: c.name,
    duckType: c.duckType,
    required: !c.nullable,
  }));
  const incoming = { columns: result.map((c) => ({ ...c, required: false })), declared: true };
  const evolution = await evolveTable(
    warehouse,
    table,
    label,
    current,
    incoming,
    spec.query.schemaUpdate,
  );
  await warehouse.rows(`INSERT INTO ${table} BY NAME ${sql}`);
  await tighten(warehouse, table, evolution.provisional);
}
