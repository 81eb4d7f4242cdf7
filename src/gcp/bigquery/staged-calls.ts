/**
 * The BigQuery calls a staged load makes besides its load job (docs/transforms.md): read a
 * table's schema, create or widen the destination, dry-run a transform for its columns,
 * insert the query job (409 → the existing job, if it is this load's query) and drop the
 * staging table. On the shared edge with the one retry policy.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/tables
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert
 */
import { PermanentError } from '../../errors';
import type { TableFieldSchema, TableReference } from '../../types';
import type { GoogleEdge } from '../edge';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';
import { type InsertResult, isDuplicateInsert, jobsInsertUrl } from './client';

/** A query job's jobs.insert body. */
export interface QueryJob {
  jobReference: { projectId: string; jobId: string; location: string };
  configuration: { query: { query: string; useLegacySql: false }; labels: Record<string, string> };
}

export interface StagedCalls {
  /** The table's fields, or undefined when it does not exist (404). */
  tableFields(table: TableReference): Promise<TableFieldSchema[] | undefined>;
  /** tables.insert; `exists` (409): a concurrent finisher made it, maybe with other columns. */
  createTable(
    table: TableReference,
    fields: TableFieldSchema[],
    options: Record<string, unknown>,
  ): Promise<'created' | 'exists'>;
  /** tables.patch of the schema (add NULLABLE columns, relax REQUIRED ones). */
  patchFields(table: TableReference, fields: TableFieldSchema[]): Promise<void>;
  /** tables.delete; a missing table (404) is fine. */
  deleteTable(table: TableReference): Promise<void>;
  /** The result columns of `sql` (a dry run: no job, no rows read). */
  dryRunFields(projectId: string, location: string, sql: string): Promise<TableFieldSchema[]>;
  /**
   * jobs.insert of the query; a 409 answers the existing job — after `mismatch` says it is
   * this load's query (a foreignJob PermanentError otherwise).
   */
  insertQuery(
    job: QueryJob,
    mismatch: (existing: unknown) => string | undefined,
  ): Promise<InsertResult>;
}

/** tables.get/patch/delete of `t`; with `collection`, tables.insert into its dataset. */
/** A job under a staged load's query id that is not its query (a decoy under a computable id). */
export function foreignQuery(jobId: string, why: string): PermanentError {
  return new PermanentError(`job ${jobId} already exists but is not this load's query: ${why}`, {
    status: 409,
    reason: 'foreignJob',
    jobId,
  });
}

export function tableUrl(baseUrl: string, t: TableReference, collection = false): string {
  const e = encodeURIComponent;
  const tables = `${baseUrl}/bigquery/v2/projects/${e(t.projectId)}/datasets/${e(t.datasetId)}/tables`;
  return collection ? tables : `${tables}/${e(t.tableId)}`;
}

export function createStagedCalls(
  edge: GoogleEdge,
  getJob: (projectId: string, jobId: string, location: string) => Promise<unknown>,
  options: { retry?: RetryOptions; timeoutMs?: number } = {},
): StagedCalls {
  const retry = retryPolicy(options.retry);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    what: string,
    json?: unknown,
  ) =>
    withRetry(
      ({ deadline }) =>
        edge.call({ service: 'bigquery', method, url, what, json, timeoutMs, deadline }),
      retry,
    );
  const bq = () => edge.endpoints.bigquery;
  const name = (t: TableReference) => `${t.projectId}.${t.datasetId}.${t.tableId}`;
  const status = (error: unknown) => (error instanceof PermanentError ? error.status : undefined);

  return {
    async tableFields(table) {
      try {
        const answer = await call('GET', tableUrl(bq(), table), `tables.get ${name(table)}`);
        const body = answer.json() as { schema?: { fields?: TableFieldSchema[] } };
        return body.schema?.fields ?? [];
      } catch (error) {
        if (status(error) === 404) return undefined;
        throw error;
      }
    },
    async createTable(table, fields, tableOptions) {
      const body = { tableReference: table, schema: { fields }, ...tableOptions };
      try {
        await call('POST', tableUrl(bq(), table, true), `tables.insert ${name(table)}`, body);
        return 'created';
      } catch (error) {
        if (status(error) === 409) return 'exists';
        throw error;
      }
    },
    async patchFields(table, fields) {
      await call('PATCH', tableUrl(bq(), table), `tables.patch ${name(table)}`, {
        schema: { fields },
      });
    },
    async deleteTable(table) {
      try {
        await call('DELETE', tableUrl(bq(), table), `tables.delete ${name(table)}`);
      } catch (error) {
        if (status(error) !== 404) throw error;
      }
    },
    async dryRunFields(projectId, location, query) {
      const body = {
        jobReference: { projectId, location },
        configuration: { dryRun: true, query: { query, useLegacySql: false } },
      };
      const answer = await call(
        'POST',
        jobsInsertUrl(bq(), projectId),
        'dry run of the transform',
        body,
      );
      const job = answer.json() as {
        statistics?: { query?: { schema?: { fields?: TableFieldSchema[] } } };
      };
      return job.statistics?.query?.schema?.fields ?? [];
    },
    async insertQuery(job, mismatch) {
      const { projectId, jobId, location } = job.jobReference;
      try {
        const answer = await call(
          'POST',
          jobsInsertUrl(bq(), projectId),
          `jobs.insert ${jobId}`,
          job,
        );
        return { outcome: 'submitted', job: answer.json() };
      } catch (error) {
        if (!isDuplicateInsert(error)) throw error;
        const existing = await getJob(projectId, jobId, location);
        const why = mismatch(existing);
        if (why) throw foreignQuery(jobId, why);
        return { outcome: 'duplicate', job: existing };
      }
    },
  };
}
