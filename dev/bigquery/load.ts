/**
 * Executes one load job against the warehouse, in one transaction: either every row of every
 * file lands, or none (a bad file, too many bad records or a constraint failure roll back).
 * Call inside `Warehouse.exclusive`. Errors thrown here become the job's `errorResult`.
 * Semantics follow https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad
 */
import { rm } from 'node:fs/promises';
import { collectRejects, goodJsonLines, refuseQuotedNewlines, tooManyErrors } from './bad-records';
import { BigQueryApiError, invalid } from './errors';
import { firstLine, LoadFailedError, type LoadResult, MAX_LISTED_ERRORS } from './load-outcome';
import type { LoadSpec } from './load-spec';
import { partitionStart, timestampLiteral } from './partition';
import { type ReadPlan, readPlan } from './read-plan';
import { tighten } from './schema-update';
import type { SourceFile } from './sources';
import { prepareTarget, type Target } from './target-table';
import { ident, PARTITION_COLUMN, type Warehouse } from './warehouse';

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
      const plan = readPlan(spec, source, target.columns, skip);
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
  await tighten(warehouse, target.table, target.provisional);
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
