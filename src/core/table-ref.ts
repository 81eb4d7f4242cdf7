/**
 * Table names as people write them, `[project.]dataset.table[$decorator]`, and BigQuery's
 * `TableReference`, whose `tableId` may carry the decorator (`table$20260101`).
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/TableReference
 */
import type { TableReference } from '../types';

export interface TableName {
  project?: string;
  dataset: string;
  table: string;
  /** Partition decorator, without its `$`. */
  decorator?: string;
}

/**
 * Splits by structure only (identifier rules are the caller's): the last two dot-separated
 * parts before any `$` are dataset and table; anything before them is the project, dots
 * included, since domain-scoped project ids (`example.com:proj`) hold dots. Undefined when
 * there are fewer than two parts.
 */
export function parseTableName(text: string): TableName | undefined {
  const dollar = text.indexOf('$');
  const pieces = (dollar < 0 ? text : text.slice(0, dollar)).split('.');
  const table = pieces.pop();
  const dataset = pieces.pop();
  if (table === undefined || dataset === undefined) return undefined;
  const name: TableName = { dataset, table };
  if (pieces.length > 0) name.project = pieces.join('.');
  if (dollar >= 0) name.decorator = text.slice(dollar + 1);
  return name;
}

/** `project.dataset.table` (the decorator left out): a table in messages and allowlists. */
export function formatTableName(name: TableName & { project: string }): string {
  return `${name.project}.${name.dataset}.${name.table}`;
}

export function toTableReference(name: TableName & { project: string }): TableReference {
  return {
    projectId: name.project,
    datasetId: name.dataset,
    tableId: name.decorator === undefined ? name.table : `${name.table}$${name.decorator}`,
  };
}

/** `project.dataset.table$decorator`, as a log field names a job's destination. */
export function formatTableReference(ref: TableReference): string {
  return `${ref.projectId}.${ref.datasetId}.${ref.tableId}`;
}

/** The reference without its partition decorator (quotas count per table). */
export function withoutDecorator(ref: TableReference): TableReference {
  const at = ref.tableId.indexOf('$');
  return at < 0 ? ref : { ...ref, tableId: ref.tableId.slice(0, at) };
}
