/** What a sweep lists: the selected routes, and the bucket prefixes they cover. */
import { compileGlob } from '../core/glob';
import { RefusedInputError } from '../errors';
import type { ObjectLister } from '../gcp/storage/listing';
import type { CompiledRoute, CompiledRules } from '../routing/compile';
import { listTargets } from '../routing/list-targets';

/** A bad sweep command: the sender's mistake, refused at WARNING and never retried. */
export class SweepCommandError extends RefusedInputError {}

/** The routes a sweep command names (all when it names none); unknown names are refused. */
export function selectRoutes(rules: CompiledRules, names: string[] | undefined): CompiledRoute[] {
  if (!names) return rules.routes;
  const unknown = names.filter((n) => !rules.routes.some((r) => r.name === n));
  if (unknown.length > 0) {
    throw new SweepCommandError(`sweep names unknown routes: ${unknown.join(', ')}`, {
      reason: 'invalid',
    });
  }
  return rules.routes.filter((r) => names.includes(r.name));
}

/** Literal buckets as they are; glob buckets expanded by listing the project's buckets. */
export async function* expandTargets(
  lister: ObjectLister,
  routes: CompiledRoute[],
): AsyncGenerator<{ bucket: string; prefix: string }> {
  const targets = listTargets(routes);
  const listed = new Map<string, string[]>();
  // Skips a prefix already covered in the same bucket (a literal and a glob route may overlap).
  function* once(bucket: string, prefixes: string[]) {
    for (const prefix of [...prefixes].sort()) {
      const done = listed.get(bucket) ?? [];
      if (done.some((p) => prefix.startsWith(p))) continue;
      listed.set(bucket, [...done, prefix]);
      yield { bucket, prefix };
    }
  }
  for (const t of targets) {
    if (!t.bucketPattern.includes('*')) yield* once(t.bucketPattern, [t.prefix]);
  }
  const globs = targets
    .filter((t) => t.bucketPattern.includes('*'))
    .map((t) => ({ re: compileGlob(t.bucketPattern), prefix: t.prefix }));
  if (globs.length === 0) return;
  for await (const page of lister.listBuckets()) {
    for (const bucket of page) {
      yield* once(
        bucket,
        globs.filter((g) => g.re.test(bucket)).map((g) => g.prefix),
      );
    }
  }
}
