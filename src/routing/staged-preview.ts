/**
 * What `plan` and `validate` show for a staged route (docs/transforms.md): the staging table,
 * the query job id and the SQL as it will run. Which columns the query writes is only known
 * when it runs (the table's and the file's, staged-columns.ts): with a route `schema` the
 * preview uses it for both; otherwise the column lists read `<columns>`. Pure.
 */
import { parseTableName } from '../core/table-ref';
import type { StagedWrite } from '../types';
import type { CompiledRoute, CompiledRules } from './compile';
import { decideColumns, type WrittenColumn } from './staged-columns';
import { quoteIdentifier, quoteTable, stagedQuerySql } from './staged-sql';
import { stageLoad, stagingSpec } from './staging';

/** The job id `validate` shows, where a real load job's id goes. */
export const LOAD_JOB_ID = 'LOAD_JOB_ID';
const UNKNOWN = '<columns>';

export function stagedPreview(staged: StagedWrite): string[] {
  const fields = staged.create?.schema?.fields;
  const decided = fields ? decideColumns(staged, fields, fields) : undefined;
  const known = decided?.ok ? decided.columns : undefined;
  const columns: WrittenColumn[] = known ?? [{ name: UNKNOWN }];
  let sql = stagedQuerySql(staged, columns);
  if (!known) sql = sql.replaceAll(quoteIdentifier(UNKNOWN), UNKNOWN);
  const note = known
    ? "columns from the route's schema; at run time, those the table and the file share"
    : 'columns: those the table and the file share, known when the query runs';
  return [
    `staging table: ${quoteTable(staged.staging)} (the load job writes it; dropped once the query is DONE)`,
    `query job: ${staged.queryJobId} (${note})`,
    ...sql.split('\n').map((line) => `  ${line}`),
  ];
}

/** A staged route's preview without an object: names as the rules write them, `LOAD_JOB_ID` for the id. */
export function routePreview(
  rules: CompiledRules,
  route: CompiledRoute,
  billingProject: string,
): string[] | undefined {
  // The decorator is left out: a staged route has none (staging-checks.ts).
  const name = parseTableName(route.config.destination);
  if (!name) return undefined;
  const destinationTable = {
    projectId: name.project ?? billingProject,
    datasetId: name.dataset,
    tableId: name.table,
  };
  const load = {
    ...rules.config.defaults,
    ...route.config.load,
    destinationTable,
    sourceFormat: 'CSV',
  };
  const spec = stagingSpec(rules, route, load, billingProject);
  return spec ? stagedPreview(stageLoad(load, spec, LOAD_JOB_ID).staged) : undefined;
}
