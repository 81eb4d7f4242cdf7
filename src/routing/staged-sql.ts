/**
 * The SQL of a staged load's query job (docs/transforms.md), from the staged write and the
 * columns decided for it (staged-columns.ts). Pure and deterministic: every finisher of one
 * load builds the same text. Identifiers are always backticked; the user's transform is
 * used as written, with `{staging}` replaced outside quotes and comments.
 * - append: `INSERT INTO dest (cols) SELECT … FROM source` (DML: a column list, so columns
 *   match by name, whatever order the transform selects them in);
 * - dedupe: `MERGE dest USING (one row per key) ON key WHEN MATCHED AND newer THEN UPDATE
 *   WHEN NOT MATCHED THEN INSERT` — a redelivered or reordered file cannot add a key twice.
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/dml-syntax
 */

import { STAGING_PLACEHOLDER } from '../config/staging-checks';
import { RESCUED_COLUMN } from '../config/staging-schema';
import { type SqlPiece, scanSql } from '../core/sql-scan';
import type { StagedWrite, TableReference } from '../types';
import type { WrittenColumn } from './staged-columns';

/** The column that numbers rows per key: `_bqal_row`, with more `_` if a written column has the name. */
function rowNumberAlias(names: readonly string[]): string {
  const taken = new Set(names.map((n) => n.toLowerCase()));
  let alias = '_bqal_row';
  while (taken.has(alias)) alias += '_';
  return quoteIdentifier(alias);
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

export function quoteTable(t: TableReference): string {
  return quoteIdentifier(`${t.projectId}.${t.datasetId}.${t.tableId}`);
}

/** The transform with `{staging}` → the staging table, or the staging table itself. */
export function sourceRelation(staged: StagedWrite): string {
  if (!staged.transform) return quoteTable(staged.staging);
  const table = quoteTable(staged.staging);
  const pieces = scanSql(staged.transform);
  // Trailing comments and a final `;` end the user's statement, not the subquery it becomes.
  while (pieces.length > 0) {
    const last = pieces[pieces.length - 1] as SqlPiece;
    if (last.kind === 'comment' || (last.kind === 'code' && /^[\s;]*$/.test(last.text)))
      pieces.pop();
    else break;
  }
  const sql = pieces
    .map((p) => (p.kind === 'code' ? p.text.replaceAll(STAGING_PLACEHOLDER, table) : p.text))
    .join('')
    .trim()
    .replace(/;$/, '');
  return `(\n${sql}\n)`;
}

/** The SELECT the transform's result is read through: written columns, cast, rescued fields. */
function selectRows(
  staged: StagedWrite,
  columns: readonly WrittenColumn[],
  rescued: readonly string[],
): string {
  const exprs = columns
    .filter((c) => c.name.toLowerCase() !== RESCUED_COLUMN)
    .map((c) => {
      const q = quoteIdentifier(c.name);
      return c.cast ? `CAST(${q} AS ${c.cast}) AS ${q}` : q;
    });
  if (staged.schemaEvolution === 'rescue') {
    const pairs = rescued.map(
      (name) => `'${name.replace(/[\\']/g, (c) => `\\${c}`)}', ${quoteIdentifier(name)}`,
    );
    const json = pairs.length > 0 ? `JSON_OBJECT(${pairs.join(', ')})` : 'CAST(NULL AS JSON)';
    exprs.push(`${json} AS ${quoteIdentifier(RESCUED_COLUMN)}`);
  }
  return `SELECT ${exprs.join(', ')} FROM ${sourceRelation(staged)}`;
}

/** The names the query writes, in order (rescue's `_rescued` last). */
function writtenNames(staged: StagedWrite, columns: readonly WrittenColumn[]): string[] {
  const names = columns.map((c) => c.name).filter((n) => n.toLowerCase() !== RESCUED_COLUMN);
  return staged.schemaEvolution === 'rescue' ? [...names, RESCUED_COLUMN] : names;
}

export function stagedQuerySql(
  staged: StagedWrite,
  columns: readonly WrittenColumn[],
  rescued: readonly string[] = [],
): string {
  const names = writtenNames(staged, columns).map(quoteIdentifier);
  const rows = selectRows(staged, columns, rescued);
  const dest = quoteTable(staged.destination);
  if (!staged.dedupe) return `INSERT INTO ${dest} (${names.join(', ')})\n${rows}`;
  const { key, keep, orderBy } = staged.dedupe;
  const keys = key.map(quoteIdentifier);
  // Within the file, one row per key: the newest (latest) or oldest (first) by order_by.
  const order = orderBy
    ? ` ORDER BY ${quoteIdentifier(orderBy)} ${keep === 'latest' ? 'DESC' : 'ASC'} NULLS LAST`
    : '';
  const list = names.join(', ');
  const rowNumber = rowNumberAlias(writtenNames(staged, columns));
  const lines = [
    `MERGE ${dest} AS T`,
    'USING (',
    `  SELECT ${list} FROM (`,
    `    SELECT ${list}, ROW_NUMBER() OVER (PARTITION BY ${keys.join(', ')}${order}) AS ${rowNumber}`,
    `    FROM (${rows})`,
    '  )',
    `  WHERE ${rowNumber} = 1`,
    ') AS S',
    `ON ${keys.map((k) => `T.${k} = S.${k}`).join(' AND ')}`,
  ];
  if (orderBy) {
    // latest: a newer row replaces the table's; first: an older one does. Either way the end
    // state does not depend on the order files arrive in.
    const o = quoteIdentifier(orderBy);
    const wins = keep === 'latest' ? '>' : '<';
    lines.push(
      `WHEN MATCHED AND S.${o} ${wins} T.${o} THEN UPDATE SET ${names.map((n) => `${n} = S.${n}`).join(', ')}`,
    );
  }
  lines.push(
    `WHEN NOT MATCHED THEN INSERT (${list}) VALUES (${names.map((n) => `S.${n}`).join(', ')})`,
  );
  return lines.join('\n');
}

/** The dry run that tells a transform's result columns: the transform itself, never run for rows. */
export function transformProbeSql(staged: StagedWrite): string | undefined {
  return staged.transform ? `SELECT * FROM ${sourceRelation(staged)} LIMIT 0` : undefined;
}
