/**
 * Which columns a staged load's query writes (docs/transforms.md), decided from the
 * destination's schema (tables.get; undefined when the table does not exist) and the
 * columns the query reads (the staging table's, or the transform's result from a dry run).
 * The one place `schemaEvolution` is applied to staged loads. Pure. BigQuery column names
 * are case-insensitive, so names are compared lowercased.
 * https://cloud.google.com/bigquery/docs/schemas#column_names
 */
import { RESCUED_COLUMN } from '../config/staging-schema';
import { formatTableReference } from '../core/table-ref';
import type { StagedWrite, TableFieldSchema } from '../types';

/** One written column: its destination name, and the type to cast to when the source's differs. */
export interface WrittenColumn {
  name: string;
  cast?: string;
}

export type ColumnDecision =
  | { ok: false; reason: string }
  | {
      ok: true;
      /** The destination is missing: create it with these fields first. */
      create?: TableFieldSchema[];
      /** `evolve`: the destination's schema after adding and relaxing columns (tables.patch). */
      evolved?: TableFieldSchema[];
      columns: WrittenColumn[];
      /** `rescue`: source columns the table lacks, written as JSON into `_rescued`. */
      rescued: string[];
    };

const lower = (name: string) => name.toLowerCase();

export function decideColumns(
  staged: StagedWrite,
  destination: readonly TableFieldSchema[] | undefined,
  source: readonly TableFieldSchema[],
): ColumnDecision {
  const table = formatTableReference(staged.destination);
  const mode = staged.schemaEvolution;
  let create: TableFieldSchema[] | undefined;
  if (!destination) {
    if (!staged.create) {
      return fail(
        `table ${table} does not exist and the route's createDisposition is CREATE_NEVER`,
      );
    }
    create = [
      ...(staged.create.schema?.fields ?? source.filter((f) => lower(f.name) !== RESCUED_COLUMN)),
    ];
    if (mode === 'rescue' && !create.some((f) => lower(f.name) === RESCUED_COLUMN)) {
      create.push({ name: RESCUED_COLUMN, type: 'JSON', mode: 'NULLABLE' });
    }
  }
  let fields = create ?? [...(destination ?? [])];
  const known = new Set(fields.map((f) => lower(f.name)));
  const unknown = source.filter(
    (f) => !known.has(lower(f.name)) && lower(f.name) !== RESCUED_COLUMN,
  );
  let evolved: TableFieldSchema[] | undefined;
  if (unknown.length > 0 && mode !== 'evolve' && mode !== 'rescue') {
    const names = unknown.map((f) => f.name).join(', ');
    return fail(
      `the file has columns table ${table} does not: ${names} (schemaEvolution ${mode ?? 'unset'}: evolve adds them, rescue keeps them in ${RESCUED_COLUMN})`,
    );
  }
  if (mode === 'evolve') {
    const present = new Set(source.map((f) => lower(f.name)));
    const relaxed = fields.map((f) =>
      f.mode === 'REQUIRED' && !present.has(lower(f.name))
        ? { ...f, mode: 'NULLABLE' as const }
        : f,
    );
    const added = unknown.map((f) =>
      f.mode === 'REQUIRED' ? { ...f, mode: 'NULLABLE' as const } : f,
    );
    if (added.length > 0 || relaxed.some((f, i) => f !== fields[i])) {
      fields = [...relaxed, ...added];
      if (!create) evolved = fields;
      else create = fields;
    }
  }
  if (mode === 'rescue') {
    const column = fields.find((f) => lower(f.name) === RESCUED_COLUMN);
    if (column?.type !== 'JSON') {
      return fail(`table ${table} has no JSON column ${RESCUED_COLUMN} for schemaEvolution rescue`);
    }
  }
  const columns = writtenColumns(fields, source);
  if (columns.length === 0) return fail(`the file shares no column with table ${table}`);
  const missing = requiredColumns(staged).filter(
    (name) => !columns.some((c) => lower(c.name) === lower(name)),
  );
  if (missing.length > 0) {
    return fail(
      `dedupe needs column(s) ${missing.join(', ')}, which the file or table ${table} lacks`,
    );
  }
  const rescued = mode === 'rescue' ? unknown.map((f) => f.name) : [];
  return {
    ok: true,
    ...(create ? { create } : {}),
    ...(evolved ? { evolved } : {}),
    columns,
    rescued,
  };
}

/** Destination columns the source has, in the destination's order. */
function writtenColumns(
  fields: readonly TableFieldSchema[],
  source: readonly TableFieldSchema[],
): WrittenColumn[] {
  const byName = new Map(source.map((f) => [lower(f.name), f]));
  const columns: WrittenColumn[] = [];
  for (const field of fields) {
    const from = byName.get(lower(field.name));
    if (!from) continue;
    const to = scalarType(field);
    columns.push(
      to && to !== scalarType(from) ? { name: field.name, cast: to } : { name: field.name },
    );
  }
  return columns;
}

function requiredColumns(staged: StagedWrite): string[] {
  const { dedupe } = staged;
  if (!dedupe) return [];
  return dedupe.orderBy ? [...dedupe.key, dedupe.orderBy] : dedupe.key;
}

/** GoogleSQL's name for a column's type (tables.get answers legacy names), or undefined for RECORD and arrays. */
function scalarType(field: TableFieldSchema): string | undefined {
  if (field.mode === 'REPEATED') return undefined;
  const type = field.type.toUpperCase();
  const legacy: Record<string, string> = { INTEGER: 'INT64', FLOAT: 'FLOAT64', BOOLEAN: 'BOOL' };
  // No CAST reaches these from another type (JSON needs PARSE_JSON…): written as they are,
  // BigQuery's own error names the column when they do not fit.
  if (['RECORD', 'STRUCT', 'JSON', 'GEOGRAPHY', 'RANGE', 'INTERVAL'].includes(type))
    return undefined;
  return legacy[type] ?? type;
}

function fail(reason: string): ColumnDecision {
  return { ok: false, reason };
}
