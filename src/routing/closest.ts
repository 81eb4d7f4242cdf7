/**
 * When no route matches an object, the route it came closest to and where it parts from it,
 * for `bq-autoloader status gs://…` ("no route matches; the closest route X differs at …").
 * A hint for a person, not a decision: "closest" is the route whose bucket matches and whose
 * literal name prefix the object's name follows furthest.
 */
import { compileGlob } from '../core/glob';
import type { CompiledRoute } from './compile';

export interface ClosestRoute {
  route: string;
  /** The route's match, as `gs://BUCKET/PATTERN`. */
  pattern: string;
  /** Where the object parts from it, in words. */
  difference: string;
}

type RouteShape = Pick<
  CompiledRoute,
  'name' | 'bucketPattern' | 'namePattern' | 'namePrefix' | 'hasConditions'
>;

export function closestRoute(
  routes: readonly RouteShape[],
  object: { bucket: string; name: string },
): ClosestRoute | undefined {
  let best: { route: RouteShape; score: number; shared: number } | undefined;
  for (const route of routes) {
    const bucketMatches = bucketOf(route, object.bucket);
    const shared = sharedLength(route.namePrefix, object.name);
    // A matching bucket outweighs any shared name prefix.
    const score = (bucketMatches ? 1_000_000 : 0) + shared;
    if (!best || score > best.score) best = { route, score, shared };
  }
  if (!best) return undefined;
  const { route, shared } = best;
  const pattern = `gs://${route.bucketPattern}/${route.namePattern ?? `(regex, names starting ${JSON.stringify(route.namePrefix)})`}`;
  return { route: route.name, pattern, difference: differenceOf(route, object, shared) };
}

function differenceOf(
  route: RouteShape,
  object: { bucket: string; name: string },
  shared: number,
): string {
  if (!bucketOf(route, object.bucket)) {
    return `the bucket: it takes ${route.bucketPattern}, the object is in ${object.bucket}`;
  }
  if (shared < route.namePrefix.length) {
    return `character ${shared + 1} of the name: expected "${clip(route.namePrefix.slice(shared))}", found "${clip(object.name.slice(shared))}"`;
  }
  const rest = route.namePattern?.slice(route.namePrefix.length);
  const conditions = route.hasConditions ? ' (or its contentType/metadata conditions)' : '';
  return rest
    ? `after "${route.namePrefix}": the rest of the name "${clip(object.name.slice(shared))}" does not fit "${rest}"${conditions}`
    : `the pattern after "${route.namePrefix}"${conditions}`;
}

function bucketOf(route: RouteShape, bucket: string): boolean {
  return compileGlob(route.bucketPattern).test(bucket);
}

function sharedLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return i;
}

function clip(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}
