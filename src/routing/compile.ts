/**
 * Compiles the resolved rules once, at cold start: patterns, regexes, destination templates
 * and allowlists. Every problem becomes one ConfigError naming its path. Routes are indexed
 * by bucket and literal name prefix, so finding the first matching route among thousands
 * tries only the few that can match.
 */
import { ConfigError, type ConfigIssue } from '../config/errors';
import type { ResolvedConfig, ResolvedRoute } from '../config/resolve-schemas';
import type { ObjectRef } from '../types';
import { type CompiledDestination, compileDestination } from './destination';
import { compilePattern, escapeRegex, globToRegex } from './pattern';
import { RouteIndex, regexLiteralPrefix } from './route-index';
import { BUILT_INS } from './template';

export interface CompiledRoute {
  index: number;
  name: string;
  config: ResolvedRoute;
  /** Literal text every object name this route matches starts with ('' when unknown). */
  namePrefix: string;
  /** The bucket part of the match (may hold `*`). */
  bucketPattern: string;
  /** The name part of a `gs://` pattern; undefined for the regex form. */
  namePattern?: string;
  /** True when contentType or metadata conditions narrow the match. */
  hasConditions: boolean;
  /** Captures when the object matches (all conditions included), else null. */
  match(object: ObjectRef): Record<string, string> | null;
  destination: CompiledDestination;
}

export interface CompiledRules {
  config: ResolvedConfig;
  routes: CompiledRoute[];
  /** Routes by bucket and literal name prefix (see route-index.ts). */
  index: RouteIndex;
  allowBucket(bucket: string): boolean;
  allowDestination(projectId: string, datasetId: string, tableId: string): boolean;
}

/** `source` (the rules file's location) prefixes the error message. */
export function compileRules(config: ResolvedConfig, source = 'rules'): CompiledRules {
  const issues: ConfigIssue[] = [];
  const routes: CompiledRoute[] = [];
  config.routes.forEach((route, index) => {
    const compiled = compileRoute(route, index, issues);
    if (compiled) routes.push(compiled);
  });
  if (issues.length > 0) throw ConfigError.fromIssues(source, issues);

  const buckets = config.allow?.buckets?.map((g) => globToRegex(g));
  const destinations = config.allow?.destinations?.map(
    (g) => new RegExp(`^${g.split('*').map(escapeRegex).join('[^.]*')}$`),
  );
  return {
    config,
    routes,
    index: new RouteIndex(routes, (glob) => globToRegex(glob)),
    allowBucket: (bucket) => !buckets || buckets.some((re) => re.test(bucket)),
    // An entry `project.dataset` allows every table of the dataset; `project.dataset.table`
    // one table (decorators are not part of the comparison).
    allowDestination: (projectId, datasetId, tableId) =>
      !destinations ||
      destinations.some(
        (re) =>
          re.test(`${projectId}.${datasetId}`) || re.test(`${projectId}.${datasetId}.${tableId}`),
      ),
  };
}

function compileRoute(
  route: ResolvedRoute,
  index: number,
  issues: ConfigIssue[],
): CompiledRoute | undefined {
  const at = `routes[${index}]`;
  const spec = typeof route.match === 'string' ? { uri: route.match } : route.match;
  let matchName: (bucket: string, name: string) => Record<string, string> | null;
  let captures: string[];
  let namePrefix: string;
  let bucketPattern: string;
  let namePattern: string | undefined;
  try {
    if (spec.uri !== undefined) {
      const pattern = compilePattern(spec.uri);
      matchName = pattern.match;
      captures = pattern.captures;
      bucketPattern = spec.uri.slice(5, spec.uri.indexOf('/', 5));
      namePattern = spec.uri.slice(spec.uri.indexOf('/', 5) + 1);
      const wild = namePattern.search(/[*{]/);
      namePrefix = wild < 0 ? namePattern : namePattern.slice(0, wild);
    } else {
      bucketPattern = spec.bucket ?? '';
      const regex = new RegExp(spec.regex ?? '');
      captures = Object.keys(new RegExp(`(?:${spec.regex ?? ''})|`).exec('')?.groups ?? {});
      const bucketRe = globToRegex(bucketPattern);
      namePrefix = regexLiteralPrefix(spec.regex ?? '');
      matchName = (bucket, name) => {
        if (!bucketRe.test(bucket)) return null;
        const m = regex.exec(name);
        return m ? { ...(m.groups ?? {}) } : null;
      };
    }
  } catch (error) {
    const path =
      typeof route.match === 'string'
        ? `${at}.match`
        : spec.uri !== undefined
          ? `${at}.match.uri`
          : `${at}.match.regex`;
    issues.push({ path, message: (error as Error).message });
    return undefined;
  }
  const clash = captures.filter((c) => (BUILT_INS as readonly string[]).includes(c));
  if (clash.length > 0) {
    issues.push({
      path: `${at}.match`,
      message: `capture names ${clash.map((c) => `{${c}}`).join(', ')} clash with built-in placeholders`,
    });
    return undefined;
  }
  let destination: CompiledDestination;
  try {
    destination = compileDestination(route.destination, captures);
  } catch (error) {
    issues.push({ path: `${at}.destination`, message: (error as Error).message });
    return undefined;
  }
  const contentType = spec.contentType ? globToRegex(spec.contentType, 'i') : undefined;
  const metadata = Object.entries(spec.metadata ?? {});
  return {
    index,
    name: route.name,
    config: route,
    namePrefix,
    bucketPattern,
    namePattern,
    hasConditions: contentType !== undefined || metadata.length > 0,
    destination,
    match(object) {
      if (contentType && !contentType.test(object.contentType ?? '')) return null;
      for (const [key, value] of metadata) if (object.metadata[key] !== value) return null;
      return matchName(object.bucket, object.name);
    },
  };
}
