/**
 * `bq-autoloader local load DIR gs://BUCKET/PREFIX/ [--no-wait] [--timeout S] [--json]`: drops
 * every file of a folder into the local stack `npm start` runs — copied into its buckets
 * folder, where the watcher turns each into the finalize event Eventarc would send — then
 * follows each object to its final state through its marker, as `status` reads it. Progress
 * on a terminal (copied, then loaded/failed/waiting); the result per object on stdout.
 * Exit 0 when every object loaded, 1 when one failed, was not routed or did not finish in time.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseGsPrefix } from '../core/gs-uri';
import { createGoogleEdge } from '../gcp/edge';
import { createObjectLister } from '../gcp/storage/listing';
import { createObjectReader } from '../gcp/storage/objects';
import { explainUnmarked, type ObjectStatus, objectStatus } from '../outcomes/status';
import type { CompiledRules } from '../routing/compile';
import { readCliSettings } from '../settings';
import type { ObjectRef } from '../types';
import { printResult, progressLine, table } from './output';
import { loadCliRules, rulesFile } from './rules';
import { EXIT, type Exit, UsageError } from './usage';

export interface LocalLoadFlags {
  wait?: boolean;
  timeout?: number;
  config?: string;
  json?: boolean;
}

interface Followed {
  object: string;
  state: string;
  rows?: string;
  detail?: string;
}

const POLL_MS = 500;

export async function localLoad(
  dir: string,
  target: string,
  flags: LocalLoadFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Exit> {
  const prefix = parseGsPrefix(target);
  if (!prefix || (prefix.prefix !== '' && !prefix.prefix.endsWith('/'))) {
    throw new UsageError(`${target}: expected gs://BUCKET/ or gs://BUCKET/PREFIX/ (ending in /)`);
  }
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((f) => f.isFile() && !f.name.startsWith('.'))
    .map((f) => relative(dir, join(f.parentPath, f.name)).split('\\').join('/'))
    .sort();
  if (files.length === 0) throw new UsageError(`${dir} holds no file to load`);
  const bucketDir = join(readCliSettings(env).localDir, 'buckets', prefix.bucket);
  const copied = progressLine(process.stderr, (n: number) => `copied ${n}/${files.length}`);
  for (const [i, file] of files.entries()) {
    const to = join(bucketDir, prefix.prefix, file);
    await mkdir(dirname(to), { recursive: true });
    await copyFile(join(dir, file), to);
    copied.show?.(i + 1);
  }
  copied.done();
  const names = files.map((file) => `${prefix.prefix}${file}`);
  const results: Followed[] =
    flags.wait === false
      ? names.map((name) => ({ object: `gs://${prefix.bucket}/${name}`, state: 'copied' }))
      : await follow(prefix, names, flags, env);
  printResult(flags.json, results, () =>
    table(
      ['STATE', 'ROWS', 'OBJECT', 'DETAIL'],
      results.map((r) => [r.state, r.rows ?? '', r.object, r.detail ?? '']),
    ),
  );
  const done = (r: Followed) =>
    r.state === 'loaded' || (flags.wait === false && r.state === 'copied');
  return { exitCode: results.every(done) ? EXIT.ok : EXIT.failure };
}

/**
 * Polls the objects' markers until each is final, the loader would not load it, or time is
 * up: one listing of the prefix per round (the copied files all live under it), not one read
 * per object.
 */
async function follow(
  { bucket, prefix }: { bucket: string; prefix: string },
  names: string[],
  flags: LocalLoadFlags,
  env: NodeJS.ProcessEnv,
): Promise<Followed[]> {
  const edge = createGoogleEdge({ env });
  const reader = createObjectReader({ edge });
  const loaded = await loadCliRules(rulesFile(flags.config, env), reader, process.stderr, {
    edge,
    env,
  });
  const rules = loaded.ok ? loaded.rules : undefined;
  const project = readCliSettings(env).project ?? (await edge.tokens.projectId());
  const lister = createObjectLister({ edge });
  const wanted = new Set(names);
  const deadline = Date.now() + (flags.timeout ?? 120) * 1000;
  const found = new Map<string, Followed>();
  const waiting = progressLine(
    process.stderr,
    (c: Record<string, number>) =>
      `loaded ${c.loaded ?? 0} · failed ${c.failed ?? 0} · waiting ${names.length - found.size}`,
  );
  try {
    while (found.size < names.length && Date.now() < deadline) {
      for await (const page of lister.listObjects(bucket, prefix)) {
        for (const object of page) {
          if (wanted.has(object.name) && !found.has(object.name)) {
            const final = finalState(object, rules, project);
            if (final) found.set(object.name, final);
          }
        }
      }
      waiting.show?.(countStates([...found.values()]));
      if (found.size < names.length) await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    waiting.done();
    edge.close();
  }
  return names.map(
    (name) =>
      found.get(name) ?? {
        object: `gs://${bucket}/${name}`,
        state: 'waiting',
        detail: `not finished after ${flags.timeout ?? 120} s: see bq-autoloader status`,
      },
  );
}

/** The object's outcome once it has one: final marker, or why no route loads it. */
function finalState(
  object: ObjectRef,
  rules: CompiledRules | undefined,
  project: string,
): Followed | undefined {
  const status = objectStatus(object);
  if (status.state === 'loaded' || status.state === 'failed') return finalOf(status);
  if (status.state !== 'none' || !rules) return undefined;
  // A file no route loads never gets a marker: say why now instead of timing out.
  const would = explainUnmarked(rules, object, project);
  return would.would === 'load'
    ? undefined
    : { object: status.object, state: would.would, detail: would.reason };
}

function finalOf(status: ObjectStatus): Followed {
  return {
    object: status.object,
    state: status.state,
    ...(status.rows ? { rows: status.rows } : {}),
    ...(status.error ? { detail: status.error } : {}),
  };
}

function countStates(results: Followed[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return counts;
}
