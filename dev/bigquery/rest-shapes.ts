/**
 * Renders warehouse metadata and query results in BigQuery's REST shapes.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#Table
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query#QueryResponse
 */
import type { Catalog } from './catalog';
import { BigQueryApiError } from './errors';
import { legacyType } from './sql-types';
import { type ColumnInfo, PARTITION_COLUMN, type Row, type Warehouse } from './warehouse';

export function tableNotFound(projectId: string, datasetId: string, tableId: string) {
  return new BigQueryApiError(
    404,
    'notFound',
    `Not found: Table ${projectId}:${datasetId}.${tableId}`,
  );
}

export function datasetNotFound(projectId: string, datasetId: string) {
  return new BigQueryApiError(404, 'notFound', `Not found: Dataset ${projectId}:${datasetId}`);
}

export function fields(columns: ColumnInfo[]) {
  return columns
    .filter((c) => c.name !== PARTITION_COLUMN)
    .map((c) => ({
      name: c.name,
      type: legacyType(c.duckType),
      mode: c.nullable ? 'NULLABLE' : 'REQUIRED',
    }));
}

export async function tableResource(
  warehouse: Warehouse,
  catalog: Catalog,
  projectId: string,
  datasetId: string,
  tableId: string,
) {
  const columns = await warehouse.columns(datasetId, tableId);
  if (!columns) throw tableNotFound(projectId, datasetId, tableId);
  const partition = columns.find((c) => c.name === PARTITION_COLUMN);
  const info = await catalog.table(datasetId, tableId);
  return {
    kind: 'bigquery#table',
    id: `${projectId}:${datasetId}.${tableId}`,
    tableReference: { projectId, datasetId, tableId },
    type: 'TABLE',
    schema: { fields: fields(columns) },
    numRows: String(await warehouse.count(datasetId, tableId)),
    ...(partition ? { timePartitioning: { type: partition.comment ?? 'DAY' } } : {}),
    ...info?.extras,
    ...(info ? { creationTime: String(info.creationMs) } : {}),
    ...(info?.expirationMs === undefined ? {} : { expirationTime: String(info.expirationMs) }),
  };
}

export async function tableList(warehouse: Warehouse, projectId: string, datasetId: string) {
  const tables = await warehouse.tables(datasetId);
  return {
    kind: 'bigquery#tableList',
    totalItems: tables.length,
    tables: tables.map((tableId) => ({
      kind: 'bigquery#table',
      id: `${projectId}:${datasetId}.${tableId}`,
      tableReference: { projectId, datasetId, tableId },
      type: 'TABLE',
    })),
  };
}

export async function datasetList(warehouse: Warehouse, projectId: string) {
  return {
    kind: 'bigquery#datasetList',
    datasets: (await warehouse.datasets()).map((datasetId) => ({
      kind: 'bigquery#dataset',
      id: `${projectId}:${datasetId}`,
      datasetReference: { projectId, datasetId },
      location: 'US',
    })),
  };
}

export async function datasetResource(
  warehouse: Warehouse,
  catalog: Catalog,
  projectId: string,
  datasetId: string,
) {
  if (!(await warehouse.datasets()).includes(datasetId))
    throw datasetNotFound(projectId, datasetId);
  const info = await catalog.dataset(datasetId);
  const defaultMs = info?.defaultTableExpirationMs;
  return {
    kind: 'bigquery#dataset',
    id: `${projectId}:${datasetId}`,
    datasetReference: { projectId, datasetId },
    location: info?.location ?? 'US',
    ...(defaultMs === undefined ? {} : { defaultTableExpirationMs: String(defaultMs) }),
  };
}

/** BigQuery's REST rows: every value a string (or null), in `{f: [{v}]}` cells. */
function cell(value: unknown): { v: unknown } {
  if (value === null || value === undefined) return { v: null };
  if (typeof value === 'object') return { v: JSON.stringify(value) };
  return { v: String(value) };
}

export function queryResponse(
  projectId: string,
  jobId: string,
  result: { columns: { name: string; duckType: string }[]; rows: Row[] },
) {
  return {
    kind: 'bigquery#queryResponse',
    jobReference: { projectId, jobId, location: 'US' },
    schema: {
      fields: result.columns.map((c) => ({
        name: c.name,
        type: legacyType(c.duckType),
        mode: 'NULLABLE',
      })),
    },
    rows: result.rows.map((row) => ({ f: result.columns.map((c) => cell(row[c.name])) })),
    totalRows: String(result.rows.length),
    jobComplete: true,
    cacheHit: false,
  };
}
