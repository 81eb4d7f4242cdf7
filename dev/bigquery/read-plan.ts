/**
 * How DuckDB reads one source file: the read_csv / read_json / read_parquet call with the
 * load's options, and the columns it detects when the load brings no schema.
 */
import type { ColumnSpec, LoadSpec } from './load-spec';
import type { SourceFile } from './sources';
import { literal, type Warehouse } from './warehouse';

/** Numbers each CSV read's rejects table, so two reads in one transaction never share one. */
let rejectCounter = 0;

function columnsStruct(columns: { name: string; duckType: string }[]): string {
  return `{${columns.map((c) => `${literal(c.name)}: ${literal(c.duckType)}`).join(', ')}}`;
}

export interface ReadPlan {
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
export async function detectColumns(
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

export function readPlan(
  spec: LoadSpec,
  file: SourceFile,
  columns: ColumnSpec[],
  skip: number,
): ReadPlan {
  const path = literal(file.path);
  if (spec.format === 'PARQUET') return { source: `read_parquet(${path})`, byName: true };
  if (spec.format === 'NEWLINE_DELIMITED_JSON') {
    return {
      source: `read_json(${path}, format='newline_delimited', columns=${columnsStruct(columns)}, compression=${literal(compression(file, 'json'))})`,
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
    `columns=${columnsStruct(columns)}`,
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
