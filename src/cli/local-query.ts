/**
 * `bq-autoloader local query "SQL" [--json]`: asks the local BigQuery server started by
 * `npm start` (found through its stack.json, src/cli/local-stack.ts, or BIGQUERY_EMULATOR_HOST)
 * with BigQuery's own `jobs.query` REST method, and prints the rows as a table, or as JSON.
 */
import { readCliSettings } from '../settings';
import { LocalStackError } from './local-stack';
import { printResult, table } from './output';
import { EXIT, type Exit } from './usage';

interface QueryAnswer {
  schema?: { fields: { name: string }[] };
  rows?: { f: { v: unknown }[] }[];
  error?: { message: string };
}

export async function localQuery(
  sql: string,
  options: { json?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Exit> {
  // The caller found the local stack (local-stack.ts localStackOnly): the variable is set.
  const settings = readCliSettings(env);
  const project = settings.project ?? 'local-project';
  const url = `${settings.bigqueryEmulator}/bigquery/v2/projects/${encodeURIComponent(project)}/queries`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: sql, useLegacySql: false }),
  }).catch((cause: unknown) => {
    throw new LocalStackError(
      `the local BigQuery at ${settings.bigqueryEmulator} does not answer (${cause instanceof Error ? cause.message : cause}): start the stack with npm start`,
    );
  });
  const answer = (await response.json()) as QueryAnswer;
  if (!response.ok) {
    process.stderr.write(`query failed: ${answer.error?.message ?? response.status}\n`);
    return { exitCode: EXIT.failure };
  }
  const names = answer.schema?.fields.map((f) => f.name) ?? [];
  const rows = (answer.rows ?? []).map((row) =>
    Object.fromEntries(row.f.map((cell, i) => [names[i] ?? `f${i}`, cell.v])),
  );
  printResult(options.json, rows, () => {
    const cells = rows.map((row) => names.map((name) => text(row[name])));
    return `${table(names, cells)}\n(${rows.length} row${rows.length === 1 ? '' : 's'})`;
  });
  return { exitCode: EXIT.ok };
}

function text(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
