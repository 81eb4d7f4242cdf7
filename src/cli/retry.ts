/**
 * `bq-autoloader retry gs://BUCKET/NAME... | --prefix gs://BUCKET/PREFIX/ [--config F]
 * [--project P] [--json]` (alias `replay`): submits the next attempt of each named object
 * whose last load job failed (docs/outcomes.md: Retrying a failed load), with the operator's
 * credentials, exactly as a `{"kind": "retry"}` request does in the function. Counts and one
 * line per object on stdout. Exit 0 when nothing was refused, 1 when an object was, 2 on a
 * usage error.
 */
import { parseGsPrefix, parseGsUri } from '../core/gs-uri';
import { createGoogleClients } from '../gcp/clients';
import type { LogFields } from '../log';
import { processLoadRequest } from '../pipeline/requests/handle';
import { inProcessRequestDeps } from '../pipeline/wire';
import { readCliSettings } from '../settings';
import type { LoadRequest } from '../types';
import { printResult, progressLine, table } from './output';
import { loadCliRules, rulesFile } from './rules';
import { EXIT, type Exit, UsageError } from './usage';

export interface RetryFlags {
  prefix?: string;
  config?: string;
  project?: string;
  json?: boolean;
}

export async function retry(
  uris: string[],
  values: RetryFlags,
  env: NodeJS.ProcessEnv = process.env,
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<Exit> {
  const settings = readCliSettings(env);
  const request = requestOf(values.prefix, uris);
  const google = createGoogleClients({ retry: {} }, { env });
  const loaded = await loadCliRules(rulesFile(values.config, env, stderr), google.objects, stderr, {
    edge: google.edge,
    env,
  });
  if (!loaded.ok) return { exitCode: loaded.exitCode };
  const runtimeProject = values.project ?? settings.project ?? (await google.runtimeProject());
  const objects: LogFields[] = [];
  // A --prefix may hold many failed objects: a count on a terminal, nothing in a pipe.
  const progress = progressLine<number>(stderr, (n) => `${n} objects done`);
  const summary = await processLoadRequest(
    inProcessRequestDeps(google),
    loaded.rules,
    request,
    { runtimeProject, topic: '' },
    (_severity, message, fields) => {
      objects.push({ ...fields, message });
      progress.show?.(objects.length);
    },
  );
  progress.done();
  const { submitted, duplicate, unchanged, refused } = summary;
  const result = { submitted, duplicate, unchanged, refused, objects };
  printResult(values.json, result, () => {
    const counts = `${submitted} submitted, ${duplicate} duplicate, ${unchanged} unchanged, ${refused} refused`;
    const rows = objects.map((o) => [
      String(o.outcome ?? ''),
      String(o.object ?? ''),
      String(o.jobId ?? ''),
      String(o.reason ?? ''),
    ]);
    return rows.length
      ? `${table(['OUTCOME', 'OBJECT', 'JOB', 'REASON'], rows)}\n${counts}`
      : counts;
  });
  return { exitCode: refused > 0 ? EXIT.failure : EXIT.ok };
}

function requestOf(prefix: string | undefined, uris: string[]): LoadRequest {
  if (prefix !== undefined) {
    if (uris.length > 0) throw new UsageError('give object URIs or --prefix, not both');
    const listed = parseGsPrefix(prefix);
    if (!listed) throw new UsageError(`--prefix ${prefix}: expected gs://BUCKET/PREFIX`);
    return { prefix: listed, retry: true };
  }
  if (uris.length === 0) throw new UsageError('name at least one object, or --prefix');
  const objects = [];
  for (const uri of uris) {
    const object = parseGsUri(uri);
    if (!object) throw new UsageError(`not an object URI: ${uri} (expected gs://BUCKET/NAME)`);
    objects.push(object);
  }
  return { objects, retry: true };
}
