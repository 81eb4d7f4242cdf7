/**
 * `bq-autoloader status [--limit N]`: recent loads — the marked objects under the routes'
 * literal buckets and prefixes, newest first, with state, rows and error.
 * `bq-autoloader status gs://BUCKET/NAME [--generation G]`: one object explained: its state,
 * job, rows and error from its markers; without a marker, what the loader would do with it
 * (route, destination, job id) or why not ("no route matches; the closest route …"). Exit 1
 * when the object does not exist (moved or deleted).
 * `bq-autoloader status --route R [--since 1h]`: the route's objects changed in that window,
 * counted by state, with rows loaded and the latest failures; moved objects are found under
 * the route's `onSuccess` / `onFailure` targets too. Readable text, or JSON with --json.
 */
import { parseGsUri } from '../core/gs-uri';
import { createGoogleEdge, type GoogleEdge } from '../gcp/edge';
import { createObjectLister, type ListedObject } from '../gcp/storage/listing';
import { createObjectReader } from '../gcp/storage/objects';
import { destinationOf } from '../outcomes/post-load';
import {
  explainUnmarked,
  loadPlaces,
  objectStatus,
  parseDuration,
  recentLoads,
  summarizeRoute,
} from '../outcomes/status';
import type { CompiledRoute, CompiledRules } from '../routing/compile';
import { applyEndpoints } from '../rules/endpoints';
import { readCliSettings } from '../settings';
import { printResult } from './output';
import { loadCliRules, rulesFile } from './rules';
import { describeObject, describeRecent, describeRoute } from './status-text';
import { EXIT, type Exit, UsageError } from './usage';

export interface StatusFlags {
  generation?: string;
  route?: string;
  since?: string;
  limit?: number;
  config?: string;
  json?: boolean;
}

type Rules = () => Promise<CompiledRules | Exit>;

export async function status(
  uri: string | undefined,
  values: StatusFlags,
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): Promise<Exit> {
  if (uri !== undefined && values.route !== undefined) {
    throw new UsageError('give an object or --route, not both');
  }
  const edge = createGoogleEdge({ env });
  let loaded: Promise<CompiledRules | Exit> | undefined;
  // Read on first use: an object with a marker is explained without the rules.
  const rules: Rules = () => {
    loaded ??= loadCliRules(
      rulesFile(values.config, env),
      createObjectReader({ edge }),
      process.stderr,
      {
        edge,
        env,
      },
    ).then((r) => (r.ok ? r.rules : { exitCode: r.exitCode }));
    return loaded;
  };
  if (values.route !== undefined) {
    return routeStatus(values.route, values.since ?? '1h', rules, edge, now, values);
  }
  if (uri === undefined) return recent(rules, edge, values);
  return oneObject(uri, values, rules, edge, env);
}

async function oneObject(
  uri: string,
  values: StatusFlags,
  rules: Rules,
  edge: GoogleEdge,
  env: NodeJS.ProcessEnv,
): Promise<Exit> {
  const named = parseGsUri(uri);
  if (!named) throw new UsageError(`not an object URI: ${uri} (expected gs://BUCKET/NAME)`);
  const { bucket, name } = named;
  await applyEndpoints(edge, {}, env);
  const reader = createObjectReader({ edge });
  const object = values.generation
    ? await reader.getObject({ bucket, name, generation: values.generation })
    : await reader.getLiveObject(bucket, name);
  if (!object) {
    const gone = {
      object: uri,
      state: 'not found',
      note: 'deleted, or moved by onSuccess/onFailure',
    };
    printResult(values.json, gone, () => `${uri}: not found (${gone.note})`);
    return { exitCode: EXIT.failure };
  }
  const found = objectStatus(object);
  if (found.state !== 'none') {
    printResult(values.json, found, () => describeObject(found));
    return { exitCode: EXIT.ok };
  }
  const compiled = await rules();
  if ('exitCode' in compiled) return compiled;
  const project =
    readCliSettings(env).project ?? compiled.config.project ?? (await edge.tokens.projectId());
  const explained = { ...found, ...explainUnmarked(compiled, object, project) };
  printResult(values.json, explained, () => describeObject(explained));
  return { exitCode: EXIT.ok };
}

/** Where a route's objects are: its own bucket and prefix (glob buckets cannot be listed). */
function placeOf(route: CompiledRoute): { bucket: string; prefix: string } | undefined {
  if (route.bucketPattern.includes('*')) return undefined;
  return { bucket: route.bucketPattern, prefix: route.namePrefix };
}

async function recent(rules: Rules, edge: GoogleEdge, values: StatusFlags): Promise<Exit> {
  const compiled = await rules();
  if ('exitCode' in compiled) return compiled;
  const { places, unlisted } = loadPlaces(compiled.routes);
  const objects = await listAll(edge, places);
  const loads = recentLoads(objects, values.limit ?? 20);
  const result = { objects: loads, ...(unlisted.length ? { unlistedRoutes: unlisted } : {}) };
  printResult(values.json, result, () => describeRecent(loads, unlisted));
  return { exitCode: EXIT.ok };
}

async function routeStatus(
  routeName: string,
  since: string,
  rules: Rules,
  edge: GoogleEdge,
  now: () => number,
  values: StatusFlags,
): Promise<Exit> {
  const window = parseDuration(since) ?? 0;
  const compiled = await rules();
  if ('exitCode' in compiled) return compiled;
  const route = compiled.routes.find((r) => r.name === routeName);
  if (!route) {
    const names = compiled.routes.map((r) => r.name).join(', ');
    throw new UsageError(`no route named ${routeName} in the rules file (its routes: ${names})`);
  }
  const own = placeOf(route);
  if (!own) {
    process.stderr.write(
      `route ${routeName} matches a bucket glob: status lists literal buckets only\n`,
    );
    return { exitCode: EXIT.usage };
  }
  const places = [own];
  for (const action of [route.config.onSuccess, route.config.onFailure]) {
    if (action?.action === 'move' && action.to) {
      const target = destinationOf(action.to, route.namePrefix);
      places.push({ bucket: target.bucket, prefix: target.name });
    }
  }
  const summary = summarizeRoute(routeName, await listAll(edge, places), now() - window);
  printResult(values.json, summary, () => describeRoute(summary));
  return { exitCode: EXIT.ok };
}

async function listAll(
  edge: GoogleEdge,
  places: { bucket: string; prefix: string }[],
): Promise<ListedObject[]> {
  const lister = createObjectLister({ edge });
  const objects: ListedObject[] = [];
  for (const place of places) {
    for await (const page of lister.listObjects(place.bucket, place.prefix)) objects.push(...page);
  }
  return objects;
}
