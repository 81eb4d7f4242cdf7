/**
 * `bq-autoloader local query "SQL"`: asks the local BigQuery server started by `npm start`
 * (found through <local dir>/stack.json, or BIGQUERY_EMULATOR_HOST) with BigQuery's own
 * `jobs.query` REST method, and prints the rows as JSON.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type CliSettings, readCliSettings } from '../settings';

interface QueryAnswer {
  schema?: { fields: { name: string }[] };
  rows?: { f: { v: unknown }[] }[];
  error?: { message: string };
}

export async function localQuery(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ exitCode: number }> {
  const settings = readCliSettings(env);
  const sql = args.join(' ').trim();
  if (!sql) {
    process.stderr.write('usage: bq-autoloader local query "SQL"\n');
    return { exitCode: 2 };
  }
  const target = await localTarget(settings);
  const response = await fetch(
    `${target.url}/bigquery/v2/projects/${encodeURIComponent(target.project)}/queries`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: sql, useLegacySql: false }),
    },
  );
  const answer = (await response.json()) as QueryAnswer;
  if (!response.ok) {
    process.stderr.write(`query failed: ${answer.error?.message ?? response.status}\n`);
    return { exitCode: 1 };
  }
  const names = answer.schema?.fields.map((f) => f.name) ?? [];
  const rows = (answer.rows ?? []).map((row) =>
    Object.fromEntries(row.f.map((cell, i) => [names[i] ?? `f${i}`, cell.v])),
  );
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  return { exitCode: 0 };
}

async function localTarget(settings: CliSettings): Promise<{ url: string; project: string }> {
  const project = settings.project ?? 'local-project';
  if (settings.bigqueryEmulator) return { url: settings.bigqueryEmulator, project };
  const file = join(resolve(settings.localDir), 'stack.json');
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as {
      bigqueryUrl: string;
      project: string;
    };
    return { url: info.bigqueryUrl, project: info.project };
  } catch {
    throw new Error(
      `no local stack found (${file} is missing): start it with npm start, or set BIGQUERY_EMULATOR_HOST`,
    );
  }
}
