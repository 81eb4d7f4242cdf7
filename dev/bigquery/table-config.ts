/**
 * Validates the bodies of datasets.insert, tables.insert and tables.patch. Fields the local
 * server does not implement are refused by name, never ignored.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets#Dataset
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#Table
 */
import type { DatasetInfo } from './catalog';
import { parseDestination } from './destination';
import { invalid, notSupported } from './errors';
import { isRecord } from './field-parsers';
import type { ColumnSpec, PartitionType } from './load-spec';
import { parseColumns } from './schema-fields';

/** Fields stored as given and echoed back by tables.get. */
const ECHOED_FIELDS = ['labels', 'description', 'friendlyName'];

function refuseUnknown(body: Record<string, unknown>, known: string[], what: string): void {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) throw notSupported(`${what}.${key}`);
  }
}

/** An int64 in JSON: a number or a decimal string. */
export function parseMillis(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw invalid(`${what} must be an int64 (milliseconds)`);
  }
  return n;
}

export function parseDatasetInsert(body: unknown, projectId: string) {
  if (!isRecord(body)) throw invalid('The request body must be a Dataset JSON object');
  refuseUnknown(
    body,
    ['kind', 'datasetReference', 'location', 'defaultTableExpirationMs', ...ECHOED_FIELDS],
    'dataset',
  );
  const reference = body.datasetReference;
  if (!isRecord(reference) || typeof reference.datasetId !== 'string') {
    throw invalid('datasetReference.datasetId is required');
  }
  if (reference.projectId !== undefined && reference.projectId !== projectId) {
    throw invalid(`datasetReference.projectId "${String(reference.projectId)}" != URL project`);
  }
  const { datasetId } = parseDestination(
    { projectId, datasetId: reference.datasetId, tableId: 't' },
    projectId,
  );
  const info: DatasetInfo = { location: typeof body.location === 'string' ? body.location : 'US' };
  if (body.defaultTableExpirationMs !== undefined && body.defaultTableExpirationMs !== null) {
    const ms = parseMillis(body.defaultTableExpirationMs, 'defaultTableExpirationMs');
    // BigQuery's minimum: one hour.
    if (ms < 3_600_000)
      throw invalid('defaultTableExpirationMs must be at least 3600000 (one hour)');
    info.defaultTableExpirationMs = ms;
  }
  return { datasetId, info };
}

export interface TableInsert {
  tableId: string;
  columns: ColumnSpec[];
  /** Ingestion-time partitioning (a `_PARTITIONTIME` column), when no field is named. */
  partitionType?: PartitionType;
  expirationMs?: number;
  extras: Record<string, unknown>;
}

function columnNamed(columns: ColumnSpec[], name: unknown, what: string): ColumnSpec {
  const column = columns.find((c) => c.name.toLowerCase() === String(name).toLowerCase());
  if (typeof name !== 'string' || !column) throw invalid(`${what}: no field named ${String(name)}`);
  return column;
}

function parsePartitioning(value: unknown, columns: ColumnSpec[], table: TableInsert): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) throw invalid('timePartitioning must be an object');
  refuseUnknown(value, ['type', 'field'], 'timePartitioning');
  const type = value.type ?? 'DAY';
  if (type !== 'HOUR' && type !== 'DAY' && type !== 'MONTH' && type !== 'YEAR') {
    throw invalid(`timePartitioning.type: "${String(type)}" is not HOUR, DAY, MONTH or YEAR`);
  }
  if (value.field === undefined) {
    table.partitionType = type;
    table.extras.timePartitioning = { type };
    return;
  }
  const column = columnNamed(columns, value.field, 'timePartitioning.field');
  if (!['DATE', 'TIMESTAMP', 'TIMESTAMPTZ'].includes(column.duckType)) {
    throw invalid(`timePartitioning.field ${column.name} must be DATE, DATETIME or TIMESTAMP`);
  }
  // Column partitioning changes no row: it is recorded and echoed back.
  table.extras.timePartitioning = { type, field: column.name };
}

function parseClustering(value: unknown, columns: ColumnSpec[], table: TableInsert): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value) || !Array.isArray(value.fields) || value.fields.length > 4) {
    throw invalid('clustering.fields must list at most 4 fields');
  }
  const fields = value.fields.map((f) => columnNamed(columns, f, 'clustering.fields').name);
  table.extras.clustering = { fields };
}

export function parseTableInsert(body: unknown, projectId: string, datasetId: string): TableInsert {
  if (!isRecord(body)) throw invalid('The request body must be a Table JSON object');
  refuseUnknown(
    body,
    [
      'kind',
      'tableReference',
      'schema',
      'timePartitioning',
      'clustering',
      'expirationTime',
      ...ECHOED_FIELDS,
    ],
    'table',
  );
  const reference = isRecord(body.tableReference) ? body.tableReference : {};
  if (reference.datasetId !== undefined && reference.datasetId !== datasetId) {
    throw invalid(`tableReference.datasetId "${String(reference.datasetId)}" != URL dataset`);
  }
  const { tableId, partition } = parseDestination(
    { ...reference, projectId, datasetId },
    projectId,
  );
  if (partition) throw invalid(`Invalid table ID "${String(reference.tableId)}"`);
  if (body.schema === undefined) throw notSupported('A table without schema.fields');
  const columns = parseColumns(body.schema, 'schema');
  const table: TableInsert = { tableId, columns, extras: {} };
  for (const key of ECHOED_FIELDS) if (body[key] !== undefined) table.extras[key] = body[key];
  parsePartitioning(body.timePartitioning, columns, table);
  parseClustering(body.clustering, columns, table);
  if (body.expirationTime !== undefined && body.expirationTime !== null) {
    table.expirationMs = parseMillis(body.expirationTime, 'expirationTime');
  }
  return table;
}
