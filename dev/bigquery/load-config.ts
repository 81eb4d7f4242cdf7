/**
 * Validates a `jobs.insert` body for a load and turns it into what the local loader executes.
 * Everything the local server does not implement is refused with a 400 `invalid` that says
 * so: a silently ignored option would make a local test pass that fails on BigQuery.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad
 */
import { randomUUID } from 'node:crypto';
import { parseDestination } from './destination';
import { invalid, notSupported } from './errors';
import {
  isRecord,
  oneOf,
  optionalBoolean,
  optionalCount,
  optionalString,
  parseDelimiter,
} from './field-parsers';
import type { JobSpec, LoadSpec, PartitionType, SourceFormat } from './load-spec';
import { parseColumns } from './schema-fields';
import { NO_SCHEMA_UPDATES, parseSchemaUpdateOptions } from './schema-update';

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
  'schemaUpdateOptions',
]);

const SUPPORTED_CONFIGURATION_FIELDS = new Set(['load', 'labels', 'jobTimeoutMs', 'jobType']);

const JOB_ID = /^[A-Za-z0-9_-]{1,1024}$/;
const ENCODINGS: Record<string, 'utf-8' | 'latin-1'> = {
  'UTF-8': 'utf-8',
  'ISO-8859-1': 'latin-1',
};

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
    schemaUpdate: NO_SCHEMA_UPDATES,
  };
  spec.schemaUpdate = parseSchemaUpdateOptions(
    load.schemaUpdateOptions,
    spec.writeDisposition,
    spec.destination.partition !== undefined,
  );
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

/** A Job body's reference (the job id generated when missing) and its configuration. */
export function parseJobEnvelope(body: unknown, projectId: string) {
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
  return { jobId, location, configuration };
}

/** Validates a whole `jobs.insert` body. `upload` = sent to the upload URI (no sourceUris). */
export function parseJob(body: unknown, projectId: string, upload: boolean): JobSpec {
  const { jobId, location, configuration } = parseJobEnvelope(body, projectId);
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
