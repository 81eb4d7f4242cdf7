/**
 * `bq-autoloader status gs://BUCKET/NAME [--generation G]`: one object's state, job, rows
 * and error, from its markers (exit 1 when the object does not exist — moved or deleted).
 * `bq-autoloader status --route R [--since 1h] [--config F]`: the route's objects changed
 * in that window, counted by state, with rows loaded and the latest failures. Moved objects
 * are found under the route's `onSuccess` / `onFailure` targets too. JSON on stdout.
 */
import { parseArgs } from 'node:util';
import { parseGsUri } from '../core/gs-uri';
import { UniverseMismatchError } from '../core/universe';
import { createGoogleEdge } from '../gcp/edge';
import { createObjectLister, type ListedObject } from '../gcp/storage/listing';
import { createObjectReader } from '../gcp/storage/objects';
import { destinationOf } from '../outcomes/post-load';
import { objectStatus, parseDuration, summarizeRoute } from '../outcomes/status';
import type { CompiledRoute } from '../routing/compile';
import { applyEndpoints } from '../rules/endpoints';
import { readCliSettings } from '../settings';
import { loadCliRules } from './rules';

export async function status(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): Promise<{ exitCode: number }> {
  const settings = readCliSettings(env);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      route: { type: 'string' },
      since: { type: 'string', default: '1h' },
      generation: { type: 'string' },
      config: { type: 'string' },
    },
  });
  if (values.route)
    return routeStatus(
      values.route,
      values.since,
      values.config ?? settings.configLocation,
      now,
      env,
    );
  const uri = positionals[0];
  const named = uri ? parseGsUri(uri) : undefined;
  if (!named || positionals.length !== 1) {
    process.stderr.write('usage: bq-autoloader status gs://BUCKET/NAME | --route R [--since 1h]\n');
    return { exitCode: 2 };
  }
  const { bucket, name } = named;
  const edge = createGoogleEdge({ env });
  try {
    await applyEndpoints(edge, {}, env);
  } catch (error) {
    if (!(error instanceof UniverseMismatchError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return { exitCode: 1 };
  }
  const reader = createObjectReader({ edge });
  const object = values.generation
    ? await reader.getObject({ bucket, name, generation: values.generation })
    : await reader.getLiveObject(bucket, name);
  if (!object) {
    process.stdout.write(
      `${JSON.stringify({ object: uri, state: 'not found', note: 'deleted, or moved by onSuccess/onFailure' }, null, 2)}\n`,
    );
    return { exitCode: 1 };
  }
  process.stdout.write(`${JSON.stringify(objectStatus(object), null, 2)}\n`);
  return { exitCode: 0 };
}

async function routeStatus(
  routeName: string,
  since: string,
  location: string,
  now: () => number,
  env: NodeJS.ProcessEnv,
): Promise<{ exitCode: number }> {
  const window = parseDuration(since);
  if (window === undefined) {
    process.stderr.write(`--since must look like 90s, 30m, 1h or 7d, got ${since}\n`);
    return { exitCode: 2 };
  }
  const edge = createGoogleEdge({ env });
  const reader = createObjectReader({ edge });
  const loaded = await loadCliRules(location, reader, process.stderr, { edge, env });
  if (!loaded.ok) return { exitCode: loaded.exitCode };
  const route: CompiledRoute | undefined = loaded.rules.routes.find((r) => r.name === routeName);
  if (!route) {
    process.stderr.write(`no route named ${routeName} in ${location}\n`);
    return { exitCode: 2 };
  }
  if (route.bucketPattern.includes('*')) {
    process.stderr.write(
      `route ${routeName} matches a bucket glob: status lists literal buckets only\n`,
    );
    return { exitCode: 2 };
  }
  const places = [{ bucket: route.bucketPattern, prefix: route.namePrefix }];
  for (const action of [route.config.onSuccess, route.config.onFailure]) {
    if (action?.action === 'move' && action.to) {
      const target = destinationOf(action.to, route.namePrefix);
      places.push({ bucket: target.bucket, prefix: target.name });
    }
  }
  const lister = createObjectLister({ edge });
  const objects: ListedObject[] = [];
  for (const place of places) {
    for await (const page of lister.listObjects(place.bucket, place.prefix)) objects.push(...page);
  }
  const summary = summarizeRoute(routeName, objects, now() - window);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return { exitCode: 0 };
}
