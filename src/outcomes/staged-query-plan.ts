/**
 * Plans a staged load's query job (docs/transforms.md): reads the destination's schema and
 * the columns the query reads (the staging table's, or the transform's from a dry run),
 * decides the column list (routing/staged-columns.ts), creates the destination or widens it
 * (`evolve`), and builds the job. Two finishers may plan at once: one's tables.insert or
 * tables.patch can change the table under the other's decision, so a refused change (the
 * table exists now, the schema moved) is read again and decided again, a few times. Returns
 * the job to insert, or why the file cannot be written (recorded failed).
 */
import { PermanentError } from '../errors';
import type { QueryJob, StagedCalls } from '../gcp/bigquery/staged-calls';
import { decideColumns } from '../routing/staged-columns';
import { quoteTable, stagedQuerySql, transformProbeSql } from '../routing/staged-sql';
import type { StagedWrite, TableFieldSchema } from '../types';

const DECISION_ROUNDS = 3;

export interface QueryTarget {
  projectId: string;
  location: string;
  labels: Record<string, string>;
  staged: StagedWrite;
}

export async function planQuery(
  calls: StagedCalls,
  target: QueryTarget,
  id: string,
): Promise<QueryJob | string> {
  const { projectId, location, staged, labels } = target;
  const source = await sourceFields(calls, target);
  if (typeof source === 'string') return source;
  for (let round = 1; ; round += 1) {
    const decided = decideColumns(staged, await calls.tableFields(staged.destination), source);
    if (!decided.ok) return decided.reason;
    try {
      if (decided.create) {
        const created = await calls.createTable(
          staged.destination,
          decided.create,
          staged.create?.options ?? {},
        );
        // Another finisher created it first, maybe from other columns: decide on the real table.
        if (created === 'exists' && round < DECISION_ROUNDS) continue;
      }
      if (decided.evolved) await calls.patchFields(staged.destination, decided.evolved);
    } catch (error) {
      // A patch from a schema another finisher has just widened: read it again.
      if (error instanceof PermanentError && error.status === 400 && round < DECISION_ROUNDS)
        continue;
      throw error;
    }
    const query = stagedQuerySql(staged, decided.columns, decided.rescued);
    return {
      jobReference: { projectId, jobId: id, location },
      configuration: { query: { query, useLegacySql: false }, labels },
    };
  }
}

/** The columns the query reads, or why they cannot be known. */
async function sourceFields(
  calls: StagedCalls,
  target: QueryTarget,
): Promise<TableFieldSchema[] | string> {
  const { staged } = target;
  const gone = `staging table ${quoteTable(staged.staging)} no longer exists (expired?): retry the load`;
  const probe = transformProbeSql(staged);
  if (!probe) return (await calls.tableFields(staged.staging)) ?? gone;
  try {
    return await calls.dryRunFields(target.projectId, target.location, probe);
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    if (error.status === 404 && (await calls.tableFields(staged.staging)) === undefined)
      return gone;
    return `the transform is not valid SQL for this file: ${error.message}`;
  }
}
