/**
 * `bq-autoloader plan gs://BUCKET/NAME`: explains what the loader would do with one object —
 * the exact Job JSON on stdout, or the refusal/ignore reason on stderr with exit code 3.
 * With --generation the object is described by flags (offline); without, it is read from GCS.
 */
import { parseArgs } from 'node:util';
import { parseGsUri } from '../core/gs-uri';
import { createObjectReader } from '../gcp/storage/objects';
import { planObjectLoad } from '../routing/plan';
import type { ObjectRef } from '../types';
import { loadCliRules } from './rules';

export async function plan(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ exitCode: number }> {
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
  const uri = positionals[0];
  const parsed = uri ? parseGsUri(uri) : undefined;
  if (!parsed || positionals.length !== 1) {
    process.stderr.write('usage: bq-autoloader plan gs://BUCKET/NAME [options] (see --help)\n');
    return { exitCode: 2 };
  }
  const { bucket, name } = parsed;
  const reader = createObjectReader();
  const loaded = await loadCliRules(values.config, env, reader);
  if (!loaded.ok) return { exitCode: loaded.exitCode };
  const { rules } = loaded;

  let object: ObjectRef | undefined;
  if (values.generation !== undefined) {
    object = {
      bucket,
      name,
      generation: values.generation,
      size: values.size === undefined ? 1 : Number(values.size),
      contentType: values['content-type'],
      contentEncoding: values['content-encoding'],
      metadata: metadataFlags(values.metadata ?? []),
      timeCreated: values.created ?? new Date().toISOString(),
    };
    if (!Number.isSafeInteger(object.size) || object.size < 0) {
      process.stderr.write(`--size must be a whole number of bytes, got ${values.size}\n`);
      return { exitCode: 2 };
    }
  } else {
    object = await reader.getLiveObject(bucket, name);
    if (!object) {
      process.stderr.write(
        `${uri}: not found in Cloud Storage (pass --generation to plan an object offline)\n`,
      );
      return { exitCode: 1 };
    }
  }

  const runtimeProject =
    values.project ?? env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT ?? 'RUNTIME_PROJECT';
  const decision = planObjectLoad(rules, object, { runtimeProject });
  if (decision.kind !== 'load') {
    const route = decision.route ? ` (route ${decision.route})` : '';
    process.stderr.write(`${uri}: ${decision.kind}${route}: ${decision.reason}\n`);
    return { exitCode: 3 };
  }
  const p = decision.plan;
  process.stderr.write(
    `${uri} → route ${p.route}, job ${p.jobId}\nPOST /bigquery/v2/projects/${p.projectId}/jobs\n`,
  );
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
