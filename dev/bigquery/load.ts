/**
 * Executes one load job against the warehouse, in one transaction: either every row of every
 * file lands, or none (a bad file, too many bad records or a constraint failure roll back).
 * Call inside `Warehouse.exclusive`. Errors thrown here become the job's `errorResult`.
 * Semantics follow https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad
 */
import { rm, writeFile } from 'node:fs/promises';
import { BigQueryApiError, type ErrorProto, invalid } from './errors';
import type { ColumnSpec, LoadSpec, PartitionType } from './load-config';
import { scanNdjsonFile } from './ndjson';
import { fileQuotedNewline } from './quoted-newlines';
import type { SourceFile } from './sources';
import {
  type ColumnInfo,
  ident,
  literal,
  PARTITION_COLUMN,
  tableName,
  type Warehouse,
} from './warehouse';

export interface LoadResult {
  inputFiles: number;
  inputFileBytes: number;
  outputRows: number;
  badRecords: number;
  /** Row problems that stayed within maxBadRecords (BigQuery lists them on success too). */
  errors: ErrorProto[];
}

/**
 * A load that failed: `errorResult` plus the detailed `errors`. A failure caused by one
 * file carries its URI as `location`, as BigQuery's does.
 */
export class LoadFailedError extends BigQueryApiError {
  constructor(
    reason: string,
    message: string,
    readonly details: ErrorProto[] = [],
    readonly location?: string,
  ) {
    super(400, reason, message);
    this.name = 'LoadFailedError';
  }

  override toErrorProto(): ErrorProto {
    return { ...super.toErrorProto(), ...(this.location ? { location: this.location } : {}) };
  }
}

/** How many row problems are copied into `status.errors`. */
const MAX_LISTED_ERRORS = 5;
let rejectCounter = 0;

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** The start of the partition holding `time`. */
export function partitionStart(time: Date, type: PartitionType): Date {
  const y = time.getUTCFullYear();
  switch (type) {
    case 'YEAR':
      return new Date(Date.UTC(y, 0, 1));
    case 'MONTH':
      return new Date(Date.UTC(y, time.getUTCMonth(), 1));
    case 'DAY':
      return new Date(Date.UTC(y, time.getUTCMonth(), time.getUTCDate()));
    case 'HOUR':
      return new Date(Date.UTC(y, time.getUTCMonth(), time.getUTCDate(), time.getUTCHours()));
  }
}

function timestampLiteral(time: Date): string {
  return `${literal(time.toISOString())}::TIMESTAMPTZ`;
}

function columnsStruct(columns: { name: string; duckType: string }[]): string {
  return `{${columns.map((c) => `${literal(c.name)}: ${literal(c.duckType)}`).join(', ')}}`;
}

interface Target {
  table: string;
  label: string;
  columns: ColumnSpec[];
  partitionType: PartitionType | undefined;
}

interface ReadPlan {
  /** `read_…(…)` expression for one file. */
  source: string;
  /** CSV maps by position, JSON and Parquet by name. */
  byName: boolean;
  rejectsTable?: string;
}

/** read_csv says `none`, read_json `uncompressed`. */
function compression(file: SourceFile, reader: 'csv' | 'json' = 'csv'): string {
  if (file.gzip) return 'gzip';
  return reader === 'csv' ? 'none' : 'uncompressed';
}

function csvOptions(spec: LoadSpec, file: SourceFile): string {
  const quote = literal(spec.quote);
  return [
    `delim=${literal(spec.fieldDelimiter)}`,
    `quote=${quote}`,
    `escape=${quote}`,
    `compression=${literal(compression(file))}`,
    `encoding=${literal(spec.encoding)}`,
  ].join(', ');
}

/** Columns DuckDB detects in the first file, for autodetect and self-describing formats. */
async function detectColumns(
  warehouse: Warehouse,
  spec: LoadSpec,
  file: SourceFile,
): Promise<{ columns: ColumnSpec[]; csvHeader: boolean }> {
  const path = literal(file.path);
  let source: string;
  if (spec.format === 'PARQUET') source = `read_parquet(${path})`;
  else if (spec.format === 'NEWLINE_DELIMITED_JSON') {
    source = `read_json(${path}, format='newline_delimited', compression=${literal(compression(file, 'json'))})`;
  } else {
    const skip = spec.skipLeadingRows;
    const header = skip === undefined ? '' : `, header=${skip > 0}, skip=${Math.max(0, skip - 1)}`;
    source = `read_csv(${path}, ${csvOptions(spec, file)}${header})`;
  }
  const { rows } = await warehouse.rows(`DESCRIBE SELECT * FROM ${source}`);
  const columns = rows.map((row) => ({
    name: String(row.column_name),
    duckType: String(row.column_type),
    required: false,
  }));
  const csvHeader =
    spec.format === 'CSV' &&
    (spec.skipLeadingRows === undefined
      ? !columns.every((c) => /^column\d+$/.test(c.name))
      : spec.skipLeadingRows > 0);
  return { columns, csvHeader };
}

function readPlan(spec: LoadSpec, file: SourceFile, target: Target, skip: number): ReadPlan {
  const path = literal(file.path);
  if (spec.format === 'PARQUET') return { source: `read_parquet(${path})`, byName: true };
  if (spec.format === 'NEWLINE_DELIMITED_JSON') {
    return {
      source: `read_json(${path}, format='newline_delimited', columns=${columnsStruct(target.columns)}, compression=${literal(compression(file, 'json'))})`,
      byName: true,
    };
  }
  rejectCounter += 1;
  const rejectsTable = `bq_rejects_${rejectCounter}`;
  const options = [
    'auto_detect=false',
    'header=false',
    `skip=${skip}`,
    csvOptions(spec, file),
    `nullstr=${literal(spec.nullMarker)}`,
    `columns=${columnsStruct(target.columns)}`,
    `null_padding=${spec.allowJaggedRows}`,
    // ignoreUnknownValues: extra trailing values are dropped instead of rejecting the row.
    `strict_mode=${!spec.ignoreUnknownValues}`,
    // The parallel reader refuses null_padding with quoted newlines; files here are small.
    'parallel=false',
    'store_rejects=true',
    `rejects_table=${literal(rejectsTable)}`,
    `rejects_scan=${literal(`${rejectsTable}_scan`)}`,
  ];
  return { source: `read_csv(${path}, ${options.join(', ')})`, byName: false, rejectsTable };
}

async function createTable(
  warehouse: Warehouse,
  spec: LoadSpec,
  table: string,
  columns: ColumnSpec[],
  partitionType: PartitionType | undefined,
) {
  const definitions = columns.map(
    (c) => `${ident(c.name)} ${c.duckType}${c.required ? ' NOT NULL' : ''}`,
  );
  if (partitionType) definitions.push(`${ident(PARTITION_COLUMN)} TIMESTAMPTZ NOT NULL`);
  // A dev server creates datasets on demand; BigQuery would answer notFound for a missing one.
  await warehouse.rows(`CREATE SCHEMA IF NOT EXISTS ${ident(spec.destination.datasetId)}`);
  await warehouse.rows(`CREATE TABLE ${table} (${definitions.join(', ')})`);
  if (partitionType) {
    // The partition type is kept as the column comment so the table describes itself.
    await warehouse.rows(
      `COMMENT ON COLUMN ${table}.${ident(PARTITION_COLUMN)} IS ${literal(partitionType)}`,
    );
  }
}

function sameColumns(a: ColumnSpec[], b: ColumnInfo[]): boolean {
  return (
    a.length === b.length && a.every((c, i) => c.name.toLowerCase() === b[i]?.name.toLowerCase())
  );
}

/** Finds or creates the destination and applies the write disposition. */
async function prepareTarget(
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
    await createTable(warehouse, spec, table, columns, partitionType);
    return { target: { table, label, columns, partitionType }, csvHeader };
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

  if (spec.columns && !sameColumns(spec.columns, dataColumns)) {
    if (spec.writeDisposition !== 'WRITE_TRUNCATE' || partition) {
      throw new LoadFailedError('invalid', `Provided Schema does not match Table ${label}.`);
    }
    // WRITE_TRUNCATE of a whole table replaces its schema too.
    await warehouse.rows(`DROP TABLE ${table}`);
    await createTable(warehouse, spec, table, spec.columns, partitionType);
    columns = spec.columns;
  } else if (spec.writeDisposition === 'WRITE_TRUNCATE') {
    await warehouse.rows(`DELETE FROM ${table} WHERE ${where}`);
  } else if (spec.writeDisposition === 'WRITE_EMPTY') {
    if ((await warehouse.count(datasetId, tableId, where)) > 0) {
      throw new LoadFailedError('duplicate', `Already Exists: Table ${label}`);
    }
  }
  return { target: { table, label, columns, partitionType }, csvHeader };
}

async function collectRejects(
  warehouse: Warehouse,
  rejectsTable: string,
  file: SourceFile,
): Promise<{ count: number; errors: ErrorProto[] }> {
  const { rows } = await warehouse.rows(
    `SELECT line, min(error_message) AS message FROM ${ident(rejectsTable)} GROUP BY line ORDER BY line`,
  );
  await warehouse.rows(`DROP TABLE IF EXISTS ${ident(rejectsTable)}`);
  await warehouse.rows(`DROP TABLE IF EXISTS ${ident(`${rejectsTable}_scan`)}`);
  return {
    count: rows.length,
    errors: rows.slice(0, MAX_LISTED_ERRORS).map((row) => ({
      reason: 'invalid',
      location: file.uri,
      message: `Error while reading data, error message: ${String(row.message)}; line_number: ${String(row.line)} File: ${file.uri}`,
    })),
  };
}

async function refuseQuotedNewlines(spec: LoadSpec, file: SourceFile): Promise<void> {
  const position = await fileQuotedNewline(file.path, file.gzip, spec.quote);
  if (position !== undefined) {
    throw new LoadFailedError(
      'invalid',
      `Error while reading data, error message: Error detected while parsing row starting at position: ${position}. Error: Missing close double quote (") character (a quoted newline needs allowQuotedNewlines). File: ${file.uri}`,
      [],
      file.uri,
    );
  }
}

/** Counts the file's bad JSON records; answers a file holding only the good lines. */
async function goodJsonLines(
  spec: LoadSpec,
  file: SourceFile,
  target: Target,
  result: LoadResult,
  temporaryFiles: string[],
): Promise<SourceFile> {
  const known = spec.ignoreUnknownValues ? undefined : target.columns.map((c) => c.name);
  const scan = await scanNdjsonFile(file.path, file.gzip, known);
  result.badRecords += scan.bad.length;
  result.errors.push(
    ...scan.bad.slice(0, MAX_LISTED_ERRORS).map(({ line, message }) => ({
      reason: 'invalid',
      location: file.uri,
      message: `Error while reading data, error message: ${message} line_number: ${line} File: ${file.uri}`,
    })),
  );
  if (scan.cleaned === undefined) return file;
  // Beside the staged file: the only folder DuckDB may read (staging.ts).
  const path = `${file.path}.good`;
  await writeFile(path, scan.cleaned);
  temporaryFiles.push(path);
  return { ...file, path, gzip: false };
}

/** INSERT … SELECT from one file; answers the rows inserted. */
async function insertFile(
  warehouse: Warehouse,
  target: Target,
  plan: ReadPlan,
  partitionValue: string | undefined,
  file: SourceFile,
): Promise<number> {
  const names = target.columns.map((c) => ident(c.name));
  const partition = partitionValue ? [`${partitionValue} AS ${ident(PARTITION_COLUMN)}`] : [];
  const insertColumns = partitionValue ? [...names, ident(PARTITION_COLUMN)] : names;
  const sql = plan.byName
    ? `INSERT INTO ${target.table} BY NAME SELECT ${['*', ...partition].join(', ')} FROM ${plan.source}`
    : `INSERT INTO ${target.table} (${insertColumns.join(', ')}) SELECT ${[...names, ...partition].join(', ')} FROM ${plan.source}`;
  try {
    const { rows } = await warehouse.rows(sql);
    return Number(rows[0]?.Count ?? 0);
  } catch (cause) {
    throw new LoadFailedError(
      'invalid',
      `Error while reading data, error message: ${firstLine((cause as Error).message)} File: ${file.uri}`,
      [],
      file.uri,
    );
  }
}

function tooManyErrors(spec: LoadSpec, result: LoadResult, file: SourceFile): LoadFailedError {
  return new LoadFailedError(
    'invalid',
    `Error while reading data, error message: ${spec.format === 'CSV' ? 'CSV' : 'JSON'} table encountered too many errors, giving up. Rows: ${result.outputRows + result.badRecords}; errors: ${result.badRecords}; max bad: ${spec.maxBadRecords}. Please look into the errors[] collection for more details.`,
    result.errors.slice(0, MAX_LISTED_ERRORS),
    file.uri,
  );
}

async function loadInTransaction(
  warehouse: Warehouse,
  spec: LoadSpec,
  files: SourceFile[],
  now: Date,
): Promise<LoadResult> {
  const [first] = files;
  if (!first) throw new LoadFailedError('invalid', 'No input files');
  const { target, csvHeader } = await prepareTarget(warehouse, spec, first);
  const skip = spec.skipLeadingRows ?? (csvHeader ? 1 : 0);
  const partitionValue = target.partitionType
    ? timestampLiteral(
        spec.destination.partition?.start ?? partitionStart(now, target.partitionType),
      )
    : undefined;
  const result: LoadResult = {
    inputFiles: files.length,
    inputFileBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    outputRows: 0,
    badRecords: 0,
    errors: [],
  };

  const temporaryFiles: string[] = [];
  try {
    for (const file of files) {
      if (spec.format === 'CSV' && !spec.allowQuotedNewlines)
        await refuseQuotedNewlines(spec, file);
      const source =
        spec.format === 'NEWLINE_DELIMITED_JSON'
          ? await goodJsonLines(spec, file, target, result, temporaryFiles)
          : file;
      const plan = readPlan(spec, source, target, skip);
      result.outputRows += await insertFile(warehouse, target, plan, partitionValue, file);
      if (plan.rejectsTable) {
        const rejects = await collectRejects(warehouse, plan.rejectsTable, file);
        result.badRecords += rejects.count;
        result.errors.push(...rejects.errors);
      }
      // The file that takes the bad records past the limit stops the load and is named,
      // as BigQuery names it (`location`): the rest of the job is never read.
      if (result.badRecords > spec.maxBadRecords) throw tooManyErrors(spec, result, file);
    }
  } finally {
    await Promise.all(temporaryFiles.map((path) => rm(path, { force: true })));
  }
  result.errors = result.errors.slice(0, MAX_LISTED_ERRORS);
  return result;
}

/**
 * Runs the load in one transaction; any failure rolls every write of the job back.
 * `beforeCommit` runs inside the transaction (the job store records the job there, so rows
 * and job record land together or not at all).
 */
export async function runLoad(
  warehouse: Warehouse,
  spec: LoadSpec,
  files: SourceFile[],
  now: Date,
  beforeCommit: (result: LoadResult) => Promise<void> = async () => undefined,
): Promise<LoadResult> {
  await warehouse.rows('BEGIN TRANSACTION');
  try {
    const result = await loadInTransaction(warehouse, spec, files, now);
    await beforeCommit(result);
    await warehouse.rows('COMMIT');
    return result;
  } catch (error) {
    await warehouse.rows('ROLLBACK');
    if (error instanceof BigQueryApiError) throw error;
    throw invalid(`Load failed: ${firstLine((error as Error).message)}`);
  }
}
