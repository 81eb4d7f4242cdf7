/**
 * Compiles the resolved rules once, at cold start: patterns, regexes, destination templates
 * and allowlists. Every problem becomes one ConfigError naming its path. Routes are indexed
 * by bucket and literal name prefix, so finding the first matching route among thousands
 * tries only the few that can match.
 */
import { ConfigError, type ConfigIssue } from '../config/errors';
import type { ResolvedConfig, ResolvedRoute } from '../config/resolve-schemas';
import type { MatchObject } from '../config/schema';
import { compileGlob } from '../core/glob';
import { formatTableName } from '../core/table-ref';
import type { ObjectRef } from '../types';
import { type CompiledDestination, compileDestination } from './destination';
import { compilePattern, literalPrefix } from './pattern';
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
  /** Problems reported but not refused (src/routing/checks.ts), with their positions. */
  warnings?: ConfigIssue[];
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
  return { config, routes, index: new RouteIndex(routes), ...compileAllowlists(config) };
}

function compileAllowlists(
  config: ResolvedConfig,
): Pick<CompiledRules, 'allowBucket' | 'allowDestination'> {
  const buckets = config.allow?.buckets?.map((glob) => compileGlob(glob));
  // `*` stays within one part of a table name: `p.*` cannot reach another project's dataset.
  const destinations = config.allow?.destinations?.map((glob) =>
    compileGlob(glob, { stopAt: '.' }),
  );
  return {
    allowBucket: (bucket) => !buckets || buckets.some((glob) => glob.test(bucket)),
    // An entry `project.dataset` allows every table of the dataset; `project.dataset.table`
    // one table (decorators are not part of the comparison).
    allowDestination: (projectId, datasetId, tableId) =>
      !destinations ||
      destinations.some(
        (glob) =>
          glob.test(`${projectId}.${datasetId}`) ||
          glob.test(formatTableName({ project: projectId, dataset: datasetId, table: tableId })),
      ),
  };
}

/** How a route matches object names, before conditions. */
interface NameMatch {
  bucketPattern: string;
  namePattern?: string;
  namePrefix: string;
  captures: string[];
  match(bucket: string, name: string): Record<string, string> | null;
}

function compileRoute(
  route: ResolvedRoute,
  index: number,
  issues: ConfigIssue[],
): CompiledRoute | undefined {
  const at = `routes[${index}]`;
  const spec: MatchObject = typeof route.match === 'string' ? { uri: route.match } : route.match;
  const problem = (path: string, error: unknown) => {
    issues.push({ path, message: error instanceof Error ? error.message : String(error) });
    return undefined;
  };
  let name: NameMatch;
  try {
    name = spec.uri !== undefined ? uriMatch(spec.uri) : regexMatch(spec.bucket ?? '', spec.regex);
  } catch (error) {
    return problem(matchPath(route, spec, at), error);
  }
  const clash = name.captures.filter((c) => (BUILT_INS as readonly string[]).includes(c));
  if (clash.length > 0) {
    const names = clash.map((c) => `{${c}}`).join(', ');
    return problem(`${at}.match`, `capture names ${names} clash with built-in placeholders`);
  }
  let destination: CompiledDestination;
  try {
    destination = compileDestination(route.destination, name.captures);
  } catch (error) {
    return problem(`${at}.destination`, error);
  }
  const conditions = compileConditions(spec);
  return {
    index,
    name: route.name,
    config: route,
    namePrefix: name.namePrefix,
    bucketPattern: name.bucketPattern,
    namePattern: name.namePattern,
    hasConditions: conditions !== undefined,
    destination,
    match: (object) =>
      conditions && !conditions(object) ? null : name.match(object.bucket, object.name),
  };
}

/** Where in the rules file a broken `match` is written. */
function matchPath(route: ResolvedRoute, spec: MatchObject, at: string): string {
  if (typeof route.match === 'string') return `${at}.match`;
  return spec.uri !== undefined ? `${at}.match.uri` : `${at}.match.regex`;
}

function uriMatch(uri: string): NameMatch {
  const pattern = compilePattern(uri);
  return {
    bucketPattern: pattern.bucketPattern,
    namePattern: pattern.namePattern,
    namePrefix: literalPrefix(pattern.namePattern),
    captures: pattern.captures,
    match: pattern.match,
  };
}

/**
 * The `bucket` + `regex` form, named groups as captures. The regex runs in RE2JS, a linear
 * engine (RE2's syntax, which JavaScript's shares but for lookarounds and backreferences):
 * a JavaScript RegExp such as `^(a+)+$` backtracks for seconds on one long object name and
 * stalls every event of the instance. Loaded only when a rules file has a regex route.
 */
function regexMatch(bucketPattern: string, source = ''): NameMatch {
  const { RE2JS } = require('re2js') as typeof import('re2js');
  let regex: InstanceType<typeof RE2JS>;
  try {
    regex = RE2JS.compile(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${reason} (route regexes run in a linear-time engine: no lookarounds or backreferences)`,
    );
  }
  const bucket = compileGlob(bucketPattern);
  const captures = Object.keys(regex.namedGroups());
  return {
    bucketPattern,
    namePrefix: regexLiteralPrefix(source),
    captures,
    match(b, n) {
      if (!bucket.test(b)) return null;
      const m = regex.matcher(n);
      if (!m.find()) return null;
      const found: Record<string, string> = {};
      for (const name of captures) {
        const value = m.group(name);
        if (value !== null && value !== undefined) found[name] = value;
      }
      return found;
    },
  };
}

/** The contentType and metadata conditions; undefined when the route has none. */
function compileConditions(spec: MatchObject): ((object: ObjectRef) => boolean) | undefined {
  const contentType = spec.contentType
    ? compileGlob(spec.contentType, { ignoreCase: true })
    : undefined;
  const metadata = Object.entries(spec.metadata ?? {});
  if (!contentType && metadata.length === 0) return undefined;
  return (object) =>
    (!contentType || contentType.test(object.contentType ?? '')) &&
    metadata.every(([key, value]) => object.metadata[key] === value);
}
