/**
 * `bq-autoloader plan gs://BUCKET/NAME`: explains what the loader would do with one object —
 * the exact Job JSON on stdout, or the refusal/ignore reason on stderr with exit code 3.
 * With --generation the object is described by flags (offline); without, it is read from GCS.
 */
import { type GsObject, parseGsUri } from '../core/gs-uri';
import { jobsInsertUrl } from '../gcp/bigquery/client';
import { createGoogleEdge } from '../gcp/edge';
import { googleEndpoints } from '../gcp/endpoints';
import { createObjectReader, type ObjectReader } from '../gcp/storage/objects';
import type { CompiledRules } from '../routing/compile';
import { planObjectLoad } from '../routing/plan';
import { stagedPreview } from '../routing/staged-preview';
import { endpointChoice } from '../rules/endpoints';
import { readCliSettings } from '../settings';
import type { ObjectRef, RouteDecision } from '../types';
import { loadCliRules, rulesFile } from './rules';
import { EXIT, type Exit, UsageError } from './usage';

/** `plan`'s options (src/cli/program.ts checks their values). */
export interface PlanFlags {
  config?: string;
  generation?: string;
  size?: number;
  contentType?: string;
  contentEncoding?: string;
  metadata?: string[];
  created?: string;
  project?: string;
}

export async function plan(
  uri: string,
  values: PlanFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Exit> {
  const settings = readCliSettings(env);
  const named = parseGsUri(uri);
  if (!named) throw new UsageError(`not an object URI: ${uri} (expected gs://BUCKET/NAME)`);
  const offline = ['size', 'contentType', 'contentEncoding', 'metadata', 'created'] as const;
  const stray = offline.filter((key) => values[key] !== undefined);
  if (values.generation === undefined && stray.length > 0) {
    throw new UsageError(
      `${stray.map(flagName).join(', ')} describe an object offline: give --generation too`,
    );
  }
  // Reading the live object needs the credentials anyway: the reader then follows the
  // universe and endpoints they and the rules decide. With --generation plan stays offline.
  const edge = createGoogleEdge({ env });
  const reader = createObjectReader({ edge });
  const live = values.generation === undefined;
  const location = rulesFile(values.config, env);
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

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The object as the flags describe it (offline). */
function objectFromFlags(named: GsObject, generation: string, flags: PlanFlags): ObjectRef {
  return {
    ...named,
    generation,
    size: flags.size ?? 1,
    contentType: flags.contentType,
    contentEncoding: flags.contentEncoding,
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
  return { exitCode: EXIT.failure };
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
    return { exitCode: EXIT.notLoaded };
  }
  const p = decision.plan;
  process.stderr.write(`${uri} → route ${p.route}, job ${p.jobId}\nPOST ${url(p.projectId)}\n`);
  if (p.staged) process.stderr.write(`${stagedPreview(p.staged).join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(p.job, null, 2)}\n`);
  return { exitCode: EXIT.ok };
}

function metadataFlags(pairs: string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return metadata;
}
