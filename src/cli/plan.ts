/**
 * `bq-autoloader plan gs://BUCKET/NAME`: explains what the loader would do with one object —
 * the exact Job JSON on stdout, or the refusal/ignore reason on stderr with exit code 3.
 * With --generation the object is described by flags (offline); without, it is read from GCS.
 */
import { parseArgs } from 'node:util';
import { type GsObject, parseGsUri } from '../core/gs-uri';
import { jobsInsertUrl } from '../gcp/bigquery/client';
import { createGoogleEdge } from '../gcp/edge';
import { googleEndpoints } from '../gcp/endpoints';
import { createObjectReader, type ObjectReader } from '../gcp/storage/objects';
import type { CompiledRules } from '../routing/compile';
import { planObjectLoad } from '../routing/plan';
import { endpointChoice } from '../rules/endpoints';
import { readCliSettings } from '../settings';
import type { ObjectRef, RouteDecision } from '../types';
import { loadCliRules } from './rules';

type Exit = { exitCode: number };

interface PlanFlags {
  config?: string;
  generation?: string;
  size?: string;
  'content-type'?: string;
  'content-encoding'?: string;
  metadata?: string[];
  created?: string;
  project?: string;
}

export async function plan(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Exit> {
  const settings = readCliSettings(env);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      generation: { type: 'string' },
      size: { type: 'string' },
      'content-type': { type: 'string' },
      'content-encoding': { type: 'string' },
      metadata: { type: 'string', multiple: true },
      created: { type: 'string' },
      project: { type: 'string' },
    },
  });
  const uri = positionals[0] ?? '';
  const named = parseGsUri(uri);
  if (!named || positionals.length !== 1) {
    process.stderr.write('usage: bq-autoloader plan gs://BUCKET/NAME [options] (see --help)\n');
    return { exitCode: 2 };
  }
  // Reading the live object needs the credentials anyway: the reader then follows the
  // universe and endpoints they and the rules decide. With --generation plan stays offline.
  const edge = createGoogleEdge({ env });
  const reader = createObjectReader({ edge });
  const live = values.generation === undefined;
  const location = values.config ?? settings.configLocation;
  const loaded = await loadCliRules(
    location,
    reader,
    process.stderr,
    live ? { edge, env } : undefined,
  );
  if (!loaded.ok) return { exitCode: loaded.exitCode };
  const object =
    values.generation === undefined
      ? await liveObject(reader, named, uri)
      : objectFromFlags(named, values.generation, values);
  if ('exitCode' in object) return object;
  const runtimeProject = values.project ?? settings.project ?? 'RUNTIME_PROJECT';
  const decision = planObjectLoad(loaded.rules, object, { runtimeProject });
  return explain(uri, decision, insertUrl(loaded.rules, env));
}

/** The object as the flags describe it (offline). */
function objectFromFlags(named: GsObject, generation: string, flags: PlanFlags): ObjectRef | Exit {
  const size = flags.size === undefined ? 1 : Number(flags.size);
  if (!Number.isSafeInteger(size) || size < 0) {
    process.stderr.write(`--size must be a whole number of bytes, got ${flags.size}\n`);
    return { exitCode: 2 };
  }
  return {
    ...named,
    generation,
    size,
    contentType: flags['content-type'],
    contentEncoding: flags['content-encoding'],
    metadata: metadataFlags(flags.metadata ?? []),
    timeCreated: flags.created ?? new Date().toISOString(),
  };
}

/** The live generation, read from Cloud Storage. */
async function liveObject(
  reader: ObjectReader,
  named: GsObject,
  uri: string,
): Promise<ObjectRef | Exit> {
  const object = await reader.getLiveObject(named.bucket, named.name);
  if (object) return object;
  process.stderr.write(
    `${uri}: not found in Cloud Storage (pass --generation to plan an object offline)\n`,
  );
  return { exitCode: 1 };
}

/**
 * The jobs.insert URL for a project: the universe and endpoints from the rules file and
 * GOOGLE_CLOUD_UNIVERSE_DOMAIN (the credentials are not asked: plan works offline).
 */
function insertUrl(rules: CompiledRules, env: NodeJS.ProcessEnv): (projectId: string) => string {
  const endpoints = googleEndpoints(env, endpointChoice(rules.config, env).choice);
  return (projectId) => jobsInsertUrl(endpoints.bigquery, projectId);
}

function explain(uri: string, decision: RouteDecision, url: (projectId: string) => string): Exit {
  if (decision.kind !== 'load') {
    const route = decision.route ? ` (route ${decision.route})` : '';
    process.stderr.write(`${uri}: ${decision.kind}${route}: ${decision.reason}\n`);
    return { exitCode: 3 };
  }
  const p = decision.plan;
  process.stderr.write(`${uri} → route ${p.route}, job ${p.jobId}\nPOST ${url(p.projectId)}\n`);
  process.stdout.write(`${JSON.stringify(p.job, null, 2)}\n`);
  return { exitCode: 0 };
}

function metadataFlags(pairs: string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--metadata expects key=value, got "${pair}"`);
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return metadata;
}
