/**
 * `bq-autoloader retry gs://BUCKET/NAME... | --prefix gs://BUCKET/PREFIX/ [--config F]
 * [--project P]`: submits the next attempt of each named object whose last load job failed
 * (docs/outcomes.md: Retrying a failed load), with the operator's credentials, exactly as a
 * `{"kind": "retry"}` request does in the function. JSON on stdout: counts and one entry per
 * object. Exit 0 when nothing was refused, 1 when an object was, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { parseGsPrefix, parseGsUri } from '../core/gs-uri';
import { createGoogleClients } from '../gcp/clients';
import type { LogFields } from '../log';
import { withSnapshot } from '../outcomes/snapshot';
import { processLoadRequest } from '../pipeline/requests/handle';
import { readCliSettings } from '../settings';
import type { LoadRequest } from '../types';
import { loadCliRules } from './rules';

const USAGE = 'usage: bq-autoloader retry gs://BUCKET/NAME... | --prefix gs://BUCKET/PREFIX/';

export async function retry(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  stderr: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
): Promise<{ exitCode: number }> {
  const settings = readCliSettings(env);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      prefix: { type: 'string' },
      config: { type: 'string' },
      project: { type: 'string' },
    },
  });
  const request = requestOf(values.prefix, positionals);
  if (typeof request === 'string') {
    stderr.write(`${request}\n${USAGE}\n`);
    return { exitCode: 2 };
  }
  const google = createGoogleClients({ retry: {} }, { env });
  const loaded = await loadCliRules(
    values.config ?? settings.configLocation,
    google.objects,
    stderr,
    { edge: google.edge, env },
  );
  if (!loaded.ok) return { exitCode: loaded.exitCode };
  const runtimeProject = values.project ?? settings.project ?? (await google.runtimeProject());
  const objects: LogFields[] = [];
  const summary = await processLoadRequest(
    {
      insertJob: withSnapshot(google.bigquery.insertJob, google.changes),
      getLiveObject: google.objects.getLiveObject,
      findJob: google.bigquery.findJob,
      markers: google.markers,
      listPrefix: google.lister.listObjects,
      // Here every object is retried in this process: nothing is published as chunks.
      fanOut: { publish: noPublishing, chunkObjects: Number.MAX_SAFE_INTEGER },
    },
    loaded.rules,
    request,
    { runtimeProject, topic: '' },
    (_severity, message, fields) => objects.push({ ...fields, message }),
  );
  const { submitted, duplicate, unchanged, refused } = summary;
  const result = { submitted, duplicate, unchanged, refused, objects };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return { exitCode: refused > 0 ? 1 : 0 };
}

function requestOf(prefix: string | undefined, uris: string[]): LoadRequest | string {
  if (prefix !== undefined) {
    if (uris.length > 0) return 'give object URIs or --prefix, not both';
    const listed = parseGsPrefix(prefix);
    return listed ? { prefix: listed, retry: true } : `--prefix: expected gs://BUCKET/PREFIX`;
  }
  if (uris.length === 0) return 'name at least one object';
  const objects = [];
  for (const uri of uris) {
    const object = parseGsUri(uri);
    if (!object) return `not an object URI: ${uri} (expected gs://BUCKET/NAME)`;
    objects.push(object);
  }
  return { objects, retry: true };
}

async function noPublishing(): Promise<string> {
  throw new Error('the retry command publishes nothing');
}
