/**
 * Validates a `jobs.insert` body for a load and turns it into what the local loader executes.
 * Everything the local server does not implement is refused with a 400 `invalid` that says
 * so: a silently ignored option would make a local test pass that fails on BigQuery.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad
 */
import { randomUUID } from 'node:crypto';
import { invalid, notSupported } from './errors';

export type SourceFormat = 'CSV' | 'NEWLINE_DELIMITED_JSON' | 'PARQUET';
export type PartitionType = 'HOUR' | 'DAY' | 'MONTH' | 'YEAR';

export interface ColumnSpec {
  name: string;
  /** A DuckDB type. */
  duckType: string;
  required: boolean;
}

export interface Destination {
  projectId: string;
  datasetId: string;
  /** Without the decorator. */
  tableId: string;
  /** Set for `table$YYYYMMDD`-style destinations: the partition's start (UTC). */
  partition?: { type: PartitionType; start: Date };
}

export interface LoadSpec {
  destination: Destination;
  sourceUris: string[];
  format: SourceFormat;
  columns?: ColumnSpec[];
  autodetect: boolean;
  createDisposition: 'CREATE_IF_NEEDED' | 'CREATE_NEVER';
  writeDisposition: 'WRITE_APPEND' | 'WRITE_TRUNCATE' | 'WRITE_EMPTY';
  /** From `timePartitioning.type`, when the job asks for an ingestion-time partitioned table. */
  partitionType?: PartitionType;
  skipLeadingRows?: number;
  fieldDelimiter: string;
  quote: string;
  nullMarker: string;
  allowJaggedRows: boolean;
  allowQuotedNewlines: boolean;
  encoding: 'utf-8' | 'latin-1';
  maxBadRecords: number;
  ignoreUnknownValues: boolean;
}

export interface JobSpec {
  projectId: string;
  jobId: string;
  location: string;
  /** The configuration as sent, echoed back in the Job resource. */
  configuration: Record<string, unknown>;
  load: LoadSpec;
}

const SUPPORTED_LOAD_FIELDS = new Set([
  'destinationTable',
  'sourceUris',
  'sourceFormat',
  'schema',
  'autodetect',
  'createDisposition',
  'writeDisposition',
  'timePartitioning',
  'skipLeadingRows',
  'fieldDelimiter',
  'quote',
  'nullMarker',
  'allowJaggedRows',
  'allowQuotedNewlines',
  'encoding',
  'maxBadRecords',
  'ignoreUnknownValues',
]);
const SUPPORTED_CONFIGURATION_FIELDS = new Set(['load', 'labels', 'jobTimeoutMs', 'jobType']);

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

const JOB_ID = /^[A-Za-z0-9_-]{1,1024}$/;
const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;
const TABLE_ID = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}\p{Zs}]{1,1024}$/u;
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;
const ENCODINGS: Record<string, 'utf-8' | 'latin-1'> = {
  'UTF-8': 'utf-8',
  'ISO-8859-1': 'latin-1',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(load: Record<string, unknown>, key: string): string | undefined {
  const value = load[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`load.${key} must be a string`);
  return value;
}

function optionalBoolean(load: Record<string, unknown>, key: string): boolean {
  const value = load[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalid(`load.${key} must be a boolean`);
  return value;
}

/** int32 fields may arrive as numbers or decimal strings (JSON mapping of proto ints). */
function optionalCount(load: Record<string, unknown>, key: string): number | undefined {
  const value = load[key];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw invalid(`load.${key} must be a non-negative integer`);
  }
  return n;
}

function oneOf<T extends string>(
  load: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = optionalString(load, key);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalid(`load.${key}: "${value}" is not one of ${allowed.join(', ')} (or not supported)`);
  }
  return value as T;
}

function parseColumns(schema: unknown): ColumnSpec[] {
  if (!isRecord(schema) || !Array.isArray(schema.fields) || schema.fields.length === 0) {
    throw invalid('load.schema.fields must be a non-empty array');
  }
  const seen = new Set<string>();
  return schema.fields.map((field: unknown, i) => {
    if (!isRecord(field) || typeof field.name !== 'string' || typeof field.type !== 'string') {
      throw invalid(`load.schema.fields[${i}] needs a string name and type`);
    }
    if (!COLUMN_NAME.test(field.name)) {
      throw invalid(`load.schema.fields[${i}]: invalid field name "${field.name}"`);
    }
    if (seen.has(field.name.toLowerCase())) {
      throw invalid(`load.schema.fields[${i}]: duplicate field name "${field.name}"`);
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

const DECORATOR_TYPES: Record<number, PartitionType> = {
  4: 'YEAR',
  6: 'MONTH',
  8: 'DAY',
  10: 'HOUR',
};

/** `table$YYYYMMDD` (or $YYYYMMDDHH, $YYYYMM, $YYYY) → the partition it names. */
export function parseDecorator(decorator: string): { type: PartitionType; start: Date } {
  const type = DECORATOR_TYPES[decorator.length];
  if (!type || !/^\d+$/.test(decorator)) {
    throw invalid(`Invalid partition decorator "$${decorator}"`);
  }
  const year = Number(decorator.slice(0, 4));
  const month = decorator.length >= 6 ? Number(decorator.slice(4, 6)) : 1;
  const day = decorator.length >= 8 ? Number(decorator.slice(6, 8)) : 1;
  const hour = decorator.length >= 10 ? Number(decorator.slice(8, 10)) : 0;
  const start = new Date(Date.UTC(year, month - 1, day, hour));
  if (
    start.getUTCFullYear() !== year ||
    start.getUTCMonth() !== month - 1 ||
    start.getUTCDate() !== day ||
    start.getUTCHours() !== hour
  ) {
    throw invalid(`Invalid partition decorator "$${decorator}": not a valid date`);
  }
  return { type, start };
}

function parseDestination(value: unknown, defaultProject: string): Destination {
  if (!isRecord(value)) throw invalid('load.destinationTable is required');
  const { projectId = defaultProject, datasetId, tableId } = value;
  if (typeof projectId !== 'string' || typeof datasetId !== 'string') {
    throw invalid('load.destinationTable needs projectId and datasetId strings');
  }
  if (typeof tableId !== 'string') throw invalid('load.destinationTable.tableId is required');
  if (!DATASET_ID.test(datasetId)) throw invalid(`Invalid dataset ID "${datasetId}"`);
  const [table = '', decorator, ...extra] = tableId.split('$');
  if (extra.length > 0 || !TABLE_ID.test(table)) throw invalid(`Invalid table ID "${tableId}"`);
  return {
    projectId,
    datasetId,
    tableId: table,
    ...(decorator === undefined ? {} : { partition: parseDecorator(decorator) }),
  };
}

function parseSourceUris(value: unknown, upload: boolean): string[] {
  if (upload) {
    if (value !== undefined) throw invalid('load.sourceUris must not be set on an upload');
    return [];
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('load.sourceUris must list at least one gs:// URI');
  }
  if (value.length > 10000) throw invalid('load.sourceUris: at most 10,000 URIs per job');
  return value.map((uri: unknown, i) => {
    if (typeof uri !== 'string' || !/^gs:\/\/[^/*]+\/.+$/.test(uri)) {
      throw invalid(`load.sourceUris[${i}] must be gs://bucket/object`);
    }
    if ((uri.match(/\*/g) ?? []).length > 1) {
      throw invalid(`load.sourceUris[${i}]: only one * wildcard is allowed`);
    }
    return uri;
  });
}

function parsePartitioning(value: unknown): PartitionType | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalid('load.timePartitioning must be an object');
  for (const key of Object.keys(value)) {
    if (key !== 'type') throw notSupported(`load.timePartitioning.${key}`);
  }
  const type = value.type ?? 'DAY';
  if (type !== 'HOUR' && type !== 'DAY' && type !== 'MONTH' && type !== 'YEAR') {
    throw invalid(`load.timePartitioning.type: "${String(type)}" is not HOUR, DAY, MONTH or YEAR`);
  }
  return type;
}

function parseDelimiter(value: string | undefined): string {
  if (value === undefined) return ',';
  // BigQuery accepts "\t" and the word "tab" for a tab.
  if (value === '\\t' || value.toLowerCase() === 'tab') return '\t';
  if (Buffer.byteLength(value) !== 1) {
    throw notSupported(`load.fieldDelimiter "${value}" (multi-byte delimiters)`);
  }
  return value;
}

export function parseLoad(load: Record<string, unknown>, projectId: string, upload: boolean) {
  for (const key of Object.keys(load)) {
    if (!SUPPORTED_LOAD_FIELDS.has(key)) throw notSupported(`load.${key}`);
  }
  const sourceFormat = optionalString(load, 'sourceFormat') ?? 'CSV';
  if (sourceFormat === 'AVRO' || sourceFormat === 'ORC' || sourceFormat === 'DATASTORE_BACKUP') {
    throw notSupported(`sourceFormat ${sourceFormat}`);
  }
  if (!['CSV', 'NEWLINE_DELIMITED_JSON', 'PARQUET'].includes(sourceFormat)) {
    throw invalid(`load.sourceFormat: unknown format "${sourceFormat}"`);
  }
  const encodingName = optionalString(load, 'encoding') ?? 'UTF-8';
  const encoding = ENCODINGS[encodingName];
  if (!encoding) throw notSupported(`load.encoding ${encodingName}`);
  const quote = optionalString(load, 'quote') ?? '"';
  if (Buffer.byteLength(quote) > 1) throw notSupported(`load.quote "${quote}" (multi-byte)`);
  const spec: LoadSpec = {
    destination: parseDestination(load.destinationTable, projectId),
    sourceUris: parseSourceUris(load.sourceUris, upload),
    format: sourceFormat as SourceFormat,
    autodetect: optionalBoolean(load, 'autodetect'),
    createDisposition: oneOf(
      load,
      'createDisposition',
      ['CREATE_IF_NEEDED', 'CREATE_NEVER'],
      'CREATE_IF_NEEDED',
    ),
    writeDisposition: oneOf(
      load,
      'writeDisposition',
      ['WRITE_APPEND', 'WRITE_TRUNCATE', 'WRITE_EMPTY'],
      'WRITE_APPEND',
    ),
    fieldDelimiter: parseDelimiter(optionalString(load, 'fieldDelimiter')),
    quote,
    nullMarker: optionalString(load, 'nullMarker') ?? '',
    allowJaggedRows: optionalBoolean(load, 'allowJaggedRows'),
    allowQuotedNewlines: optionalBoolean(load, 'allowQuotedNewlines'),
    encoding,
    maxBadRecords: optionalCount(load, 'maxBadRecords') ?? 0,
    ignoreUnknownValues: optionalBoolean(load, 'ignoreUnknownValues'),
  };
  const skip = optionalCount(load, 'skipLeadingRows');
  if (skip !== undefined) spec.skipLeadingRows = skip;
  if (load.schema !== undefined) spec.columns = parseColumns(load.schema);
  const partitionType = parsePartitioning(load.timePartitioning);
  if (partitionType) spec.partitionType = partitionType;
  const decorated = spec.destination.partition;
  if (partitionType && decorated && decorated.type !== partitionType) {
    throw invalid(
      `Partition decorator of type ${decorated.type} does not match timePartitioning.type ${partitionType}`,
    );
  }
  return spec;
}

/** Validates a whole `jobs.insert` body. `upload` = sent to the upload URI (no sourceUris). */
export function parseJob(body: unknown, projectId: string, upload: boolean): JobSpec {
  if (!isRecord(body)) throw invalid('The request body must be a Job JSON object');
  const reference = body.jobReference ?? {};
  if (!isRecord(reference)) throw invalid('jobReference must be an object');
  const jobId = reference.jobId ?? `job_${randomUUID().replaceAll('-', '')}`;
  if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
    throw invalid(`Invalid job ID "${String(jobId)}": use letters, digits, _ and - (max 1024)`);
  }
  if (reference.projectId !== undefined && reference.projectId !== projectId) {
    throw invalid(`jobReference.projectId "${String(reference.projectId)}" != URL project`);
  }
  const location = reference.location ?? 'US';
  if (typeof location !== 'string') throw invalid('jobReference.location must be a string');
  const configuration = body.configuration;
  if (!isRecord(configuration)) throw invalid('configuration is required');
  for (const key of Object.keys(configuration)) {
    if (key === 'dryRun' && configuration.dryRun === false) continue;
    if (!SUPPORTED_CONFIGURATION_FIELDS.has(key)) throw notSupported(`configuration.${key}`);
  }
  if (!isRecord(configuration.load)) throw notSupported('A job without configuration.load');
  return {
    projectId,
    jobId,
    location,
    configuration,
    load: parseLoad(configuration.load, projectId, upload),
  };
}
