/**
 * Validates a `jobs.insert` body for a query job. What BigQuery refuses at insert is refused
 * here with its message (a DML statement with a destination or dispositions); whatever the
 * local server does not implement is refused by name.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationQuery
 */
import { parseDestination } from './destination';
import { invalid, notSupported } from './errors';
import { isRecord, oneOf } from './field-parsers';
import { parseJobEnvelope } from './load-config';
import type { Destination } from './load-spec';
import {
  NO_SCHEMA_UPDATES,
  parseSchemaUpdateOptions,
  type SchemaUpdateOptions,
} from './schema-update';
import { classifyStatement, type StatementType } from './sql/statement';

export interface QuerySpec {
  sql: string;
  /** Read at insert (undefined when the SQL cannot even be read: the job then fails). */
  statementType?: StatementType;
  destination?: Destination;
  writeDisposition: 'WRITE_APPEND' | 'WRITE_TRUNCATE' | 'WRITE_EMPTY';
  createDisposition: 'CREATE_IF_NEEDED' | 'CREATE_NEVER';
  schemaUpdate: SchemaUpdateOptions;
}

export interface QueryJobSpec {
  projectId: string;
  jobId: string;
  location: string;
  /** The configuration as sent, echoed back in the Job resource. */
  configuration: Record<string, unknown>;
  dryRun: boolean;
  query: QuerySpec;
}

const SUPPORTED_QUERY_FIELDS = new Set([
  'query',
  'useLegacySql',
  'destinationTable',
  'writeDisposition',
  'createDisposition',
  'schemaUpdateOptions',
  'priority',
  'maximumBytesBilled',
]);

const SUPPORTED_CONFIGURATION_FIELDS = new Set([
  'query',
  'labels',
  'jobTimeoutMs',
  'jobType',
  'dryRun',
]);

/** True when the body is a query job (configuration.query), so the caller parses it here. */
export function isQueryJob(body: unknown): boolean {
  return isRecord(body) && isRecord(body.configuration) && body.configuration.query !== undefined;
}

function parseDmlRules(query: Record<string, unknown>, statementType: StatementType | undefined) {
  if (statementType === undefined || statementType === 'SELECT') return;
  if (query.destinationTable !== undefined) {
    throw invalid('Cannot set destination table in jobs with DML statements');
  }
  if (query.writeDisposition !== undefined) {
    throw invalid('Cannot set write disposition in jobs with DML statements');
  }
  if (query.createDisposition !== undefined) {
    throw invalid('Cannot set create disposition in jobs with DML statements');
  }
}

export function parseQuery(query: Record<string, unknown>, projectId: string): QuerySpec {
  for (const key of Object.keys(query)) {
    if (!SUPPORTED_QUERY_FIELDS.has(key)) throw notSupported(`query.${key}`);
  }
  if (typeof query.query !== 'string' || query.query.trim() === '') {
    throw invalid('query.query is required');
  }
  // jobs.insert defaults to legacy SQL: a job that does not say false would be legacy SQL.
  if (query.useLegacySql !== false) {
    throw notSupported(
      'Legacy SQL (query.useLegacySql must be false; jobs.insert defaults to true)',
    );
  }
  const statementType = classifyStatement(query.query);
  parseDmlRules(query, statementType);
  const spec: QuerySpec = {
    sql: query.query,
    writeDisposition: oneOf(
      query,
      'writeDisposition',
      ['WRITE_APPEND', 'WRITE_TRUNCATE', 'WRITE_EMPTY'],
      'WRITE_EMPTY',
    ),
    createDisposition: oneOf(
      query,
      'createDisposition',
      ['CREATE_IF_NEEDED', 'CREATE_NEVER'],
      'CREATE_IF_NEEDED',
    ),
    schemaUpdate: NO_SCHEMA_UPDATES,
    ...(statementType ? { statementType } : {}),
  };
  if (query.destinationTable !== undefined) {
    const destination = parseDestination(query.destinationTable, projectId);
    if (destination.partition)
      throw notSupported('A partition decorator in query.destinationTable');
    spec.destination = destination;
  }
  if (query.schemaUpdateOptions !== undefined) {
    spec.schemaUpdate = parseSchemaUpdateOptions(
      query.schemaUpdateOptions,
      spec.writeDisposition,
      false,
    );
  }
  return spec;
}

/** Validates a query job's whole `jobs.insert` body. */
export function parseQueryJob(body: unknown, projectId: string): QueryJobSpec {
  const { jobId, location, configuration } = parseJobEnvelope(body, projectId);
  for (const key of Object.keys(configuration)) {
    if (!SUPPORTED_CONFIGURATION_FIELDS.has(key)) throw notSupported(`configuration.${key}`);
  }
  if (!isRecord(configuration.query)) throw invalid('configuration.query must be an object');
  const dryRun = configuration.dryRun ?? false;
  if (typeof dryRun !== 'boolean') throw invalid('configuration.dryRun must be a boolean');
  return {
    projectId,
    jobId,
    location,
    configuration,
    dryRun,
    query: parseQuery(configuration.query, projectId),
  };
}
