/**
 * What `bq-autoloader validate` and every cold start check about compiled rules beyond the
 * schema and the compiler, split by what they mean:
 * - errors refuse the rules: a route that can never match (an earlier route takes every
 *   object it could; src/routing/shadowing.ts).
 * - warnings are reported and the rules still serve: a route that matches but whose every
 *   load the allowlists would refuse (a bucket outside `allow.buckets`, a destination outside
 *   `allow.destinations`). The allowlist still refuses each event at run time; refusing the
 *   whole file would stop every other route for one misplaced one.
 * Only what is known from the text is judged (a literal bucket, a literal project and
 * dataset), so no valid route is reported. Linear in routes × allowlist entries.
 */
import type { ConfigIssue } from '../config/errors';
import { compileGlob } from '../core/glob';
import { parseTableName } from '../core/table-ref';
import type { CompiledRoute, CompiledRules } from './compile';
import { findShadowedRoutes } from './shadowing';

export interface RuleProblems {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

export function checkRules(rules: CompiledRules): RuleProblems {
  const errors = findShadowedRoutes(rules).map((s) => ({
    path: `routes[${s.index}]`,
    message: `route "${s.route}" can never match: route "${s.shadowedBy}" before it matches every object it would; move it above "${s.shadowedBy}" or narrow "${s.shadowedBy}"'s match`,
  }));
  const warnings: ConfigIssue[] = [];
  // Thousands of routes share a few buckets and datasets: each is judged once.
  const couldAllow = memo(datasetAllowlist(rules));
  const allowBucket = memo(rules.allowBucket);
  for (const route of rules.routes) {
    const bucket = bucketOutside(allowBucket, route);
    if (bucket) warnings.push(bucket);
    const destination = destinationOutside(rules, route, couldAllow);
    if (destination) warnings.push(destination);
  }
  return { errors, warnings };
}

function memo(test: (text: string) => boolean): (text: string) => boolean {
  const known = new Map<string, boolean>();
  return (text) => {
    let result = known.get(text);
    if (result === undefined) {
      result = test(text);
      known.set(text, result);
    }
    return result;
  };
}

function bucketOutside(
  allowBucket: (bucket: string) => boolean,
  route: CompiledRoute,
): ConfigIssue | undefined {
  const bucket = route.bucketPattern;
  if (bucket.includes('*') || allowBucket(bucket)) return undefined;
  return {
    path: `routes[${route.index}].match`,
    message: `route "${route.name}" is unreachable: bucket "${bucket}" is not in allow.buckets, so every object it matches is refused; add it to allow.buckets or match another bucket`,
  };
}

function destinationOutside(
  rules: CompiledRules,
  route: CompiledRoute,
  couldAllow: (projectDataset: string) => boolean,
): ConfigIssue | undefined {
  if (!rules.config.allow?.destinations) return undefined;
  const name = parseTableName(route.config.destination);
  const project = name?.project ?? rules.config.project;
  if (!name || project === undefined || /[{}]/.test(project + name.dataset)) return undefined;
  const literalTable = !/[{}]/.test(name.table);
  const allowed = literalTable
    ? rules.allowDestination(project, name.dataset, name.table)
    : couldAllow(`${project}.${name.dataset}`);
  if (allowed) return undefined;
  const where = literalTable
    ? `${project}.${name.dataset}.${name.table}`
    : `${project}.${name.dataset}`;
  const overridable = (route.config.overrides ?? []).some((o) =>
    ['bq-project', 'bq-dataset', 'bq-table'].includes(o),
  );
  return {
    path: `routes[${route.index}].destination`,
    message: `destination ${where} is not in allow.destinations, so every load of route "${route.name}" is refused${overridable ? ' unless object metadata overrides it' : ''}; add "${project}.${name.dataset}" to allow.destinations or change the destination`,
  };
}

/**
 * Whether some table of `project.dataset` may be allowed: an entry naming the dataset, or
 * one naming a table in it (its last part dropped). `*` stays within one part.
 */
function datasetAllowlist(rules: CompiledRules): (projectDataset: string) => boolean {
  const entries = rules.config.allow?.destinations ?? [];
  const globs = entries.flatMap((entry) => {
    const parent = entry.slice(0, entry.lastIndexOf('.'));
    return [compileGlob(entry, { stopAt: '.' }), compileGlob(parent, { stopAt: '.' })];
  });
  return (projectDataset) => globs.some((glob) => glob.test(projectDataset));
}
