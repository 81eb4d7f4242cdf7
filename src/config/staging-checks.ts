/**
 * The cross-key rules of staged routes (staging-schema.ts), checked when the rules file is
 * read so a mistake fails at start naming the key, not on the first file:
 * - `transform` is one SELECT (or WITH … SELECT) that reads `{staging}`;
 * - `dedupe: {keep: latest}` needs `order_by`;
 * - a staged route appends through DML: no other write disposition, no partition decorator
 *   (DML cannot address one), no inline data (its load has no object to finish);
 * - `schemaEvolution` replaces the load options it sets (`schemaUpdateOptions`,
 *   `ignoreUnknownValues` with strict), and `evolve` without staging reads each file's
 *   columns (autodetect), so it takes no explicit `schema`.
 */
import type * as z from 'zod';
import { codeOf, scanSql } from '../core/sql-scan';
import type { Route } from './schema';

/** The placeholder a transform reads the file's rows from. */
export const STAGING_PLACEHOLDER = '{staging}';

/** Whether the route's loads go through a staging table and a query job. */
export function isStagedRoute(
  route: Pick<Route, 'transform' | 'dedupe' | 'schemaEvolution'>,
): boolean {
  return Boolean(route.transform || route.dedupe || route.schemaEvolution === 'rescue');
}

/** Why `sql` cannot be a route's transform, or undefined. */
export function transformProblem(sql: string): string | undefined {
  let code: string;
  try {
    code = codeOf(scanSql(sql));
  } catch (error) {
    return (error as Error).message;
  }
  const body = code.trim().replace(/;\s*$/, '');
  if (body.includes(';')) return 'must be one statement: it holds a ";" between statements';
  const first = /^[\s(]*([A-Za-z_]+)/.exec(body)?.[1]?.toUpperCase();
  if (first !== 'SELECT' && first !== 'WITH') {
    return `must be a SELECT (or WITH … SELECT), not ${first ?? 'empty'}: the loader writes its result into the destination`;
  }
  if (!code.includes(STAGING_PLACEHOLDER)) {
    return `must read ${STAGING_PLACEHOLDER} (the file's rows), outside quotes and comments`;
  }
  const other = /\{[A-Za-z_]+\}/.exec(code.replaceAll(STAGING_PLACEHOLDER, ''));
  if (other) return `knows only the placeholder ${STAGING_PLACEHOLDER}, not ${other[0]}`;
  return undefined;
}

export function checkStagedRoute(
  route: Route,
  index: number,
  ctx: z.RefinementCtx,
  defaults: Record<string, unknown> = {},
): void {
  const at = (key: string, message: string, ...more: (string | number)[]) =>
    ctx.addIssue({ code: 'custom', path: ['routes', index, key, ...more], message });
  if (route.transform !== undefined) {
    const problem = transformProblem(route.transform);
    if (problem) at('transform', problem);
  }
  if (route.dedupe?.keep === 'latest' && route.dedupe.order_by === undefined) {
    at('dedupe', '`keep: latest` needs `order_by` (the column that says which row is newer)');
  }
  // The route's load options over the rules' defaults, as its loads get them; a problem is
  // reported where the option is set.
  const load: Record<string, unknown> = { ...defaults, ...route.load };
  const option = (key: string, message: string) =>
    route.load?.[key as keyof typeof route.load] !== undefined
      ? at('load', message, key)
      : ctx.addIssue({
          code: 'custom',
          path: ['defaults', key],
          message: `route ${route.name}: ${message}`,
        });
  if (route.schemaEvolution !== undefined && load.schemaUpdateOptions !== undefined) {
    option('schemaUpdateOptions', 'schemaUpdateOptions is set by schemaEvolution; remove it');
  }
  if (route.schemaEvolution === 'strict' && load.ignoreUnknownValues === true) {
    option(
      'ignoreUnknownValues',
      'contradicts schemaEvolution: strict (unknown values must fail the file)',
    );
  }
  const staged = isStagedRoute(route);
  const appends = staged || route.schemaEvolution === 'evolve';
  const write = load.writeDisposition;
  const writes = staged ? 'transform, dedupe and rescue write' : 'schemaEvolution: evolve writes';
  if (appends && write !== undefined && write !== 'WRITE_APPEND') {
    option('writeDisposition', `${writes} with WRITE_APPEND only, not ${write}`);
  }
  const overrides = (route.overrides ?? []).filter(
    (key) => key === 'bq-write-disposition' || (staged && key === 'bq-partition'),
  );
  if (appends && overrides.length > 0) {
    at(
      'overrides',
      `${writes} with WRITE_APPEND into the whole table: object metadata cannot set ${overrides.join(', ')}`,
    );
  }
  if (
    route.schemaEvolution === 'evolve' &&
    !staged &&
    route.schema !== undefined &&
    route.schema !== 'autodetect'
  ) {
    at(
      'schema',
      "schemaEvolution: evolve reads each file's columns (autodetect); remove `schema` (it only creates tables on staged routes)",
    );
  }
  if (!staged) return;
  if (route.destination.includes('$')) {
    at(
      'destination',
      'a partition decorator cannot be written by the DML that transform, dedupe and rescue use; partition the table by a column instead',
    );
  }
  if (route.accepts?.includes('inline')) {
    at(
      'accepts',
      'inline data cannot go through transform, dedupe or rescue yet; use a route of its own for it',
    );
  }
  const binary = ['AVRO', 'PARQUET', 'ORC'];
  if (route.schemaEvolution === 'rescue' && route.format && binary.includes(route.format)) {
    at(
      'schemaEvolution',
      `rescue reads rows of NEWLINE_DELIMITED_JSON or CSV files, not ${route.format}`,
    );
  }
}
