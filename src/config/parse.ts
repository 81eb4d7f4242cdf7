/**
 * Rules-file text → validated `Config`. Every problem is collected into one ConfigError
 * naming its path.
 *
 * A `.json` file (what `bq-autoloader compile` writes for deploy) is read with JSON.parse, so
 * the function's cold start never loads the YAML parser; as in any JSON reader, a repeated
 * key keeps its last value. Everything else — and a `.json` file that is not valid JSON, so
 * its error names a line and column — goes through the YAML 1.2 parser, a superset of JSON,
 * which refuses repeated keys.
 */
import type * as z from 'zod';
import { ConfigError, type ConfigIssue, formatPath } from './errors';
import { locateIssues, positionAt } from './positions';
import { type Config, ConfigSchema, duplicateMessage } from './schema';

export function parseConfig(text: string, source: string): Config {
  const raw = (/\.json$/i.test(source) && parseJson(text)) || parseYaml(text, source);
  // The schema checks this value once per instance: zod's compiled fast path would cost
  // more to generate than it saves.
  const result = ConfigSchema.safeParse(raw.value, { jitless: true });
  if (!result.success) {
    const issues = toIssues(result.error);
    for (const dup of duplicateNames(raw.value)) {
      if (!issues.some((i) => i.path === dup.path)) issues.push(dup);
    }
    throw ConfigError.fromIssues(source, locateIssues(text, issues));
  }
  return result.data;
}

interface Document {
  value: unknown;
}

function parseJson(text: string): Document | undefined {
  try {
    return { value: JSON.parse(text) ?? {} };
  } catch {
    return undefined;
  }
}

function parseYaml(text: string, source: string): Document {
  // Required here rather than imported at the top: the production bundle then initialises
  // the YAML library on the first YAML file instead of at every cold start.
  const { parseDocument } = require('yaml') as typeof import('yaml');
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw ConfigError.fromIssues(
      source,
      doc.errors.map((e) => ({
        path: '',
        message: `not valid YAML/JSON: ${e.message}`,
        ...positionAt(text, e.pos[0]),
      })),
    );
  }
  return { value: doc.toJS() ?? {} };
}

/** zod issues → `{path, message}`; an unknown key gets its own path (`routes[0].tabel`). */
export function toIssues(
  error: { issues: readonly z.core.$ZodIssue[] },
  base: PropertyKey[] = [],
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        issues.push({ path: formatPath([...path, key]), message: 'unknown key' });
    } else if (issue.code === 'invalid_union' && bestBranch(issue)) {
      issues.push(...toIssues({ issues: bestBranch(issue) ?? [] }, path));
    } else {
      issues.push({ path: formatPath(path), message: issue.message });
    }
  }
  return issues;
}

/**
 * For a union (`match`, `schema`), report the alternative the value was evidently meant to
 * be: not one rejected for its type, and the one whose problems lie deepest.
 */
function bestBranch(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] | undefined {
  const depth = (branch: z.core.$ZodIssue[]) => Math.max(...branch.map((i) => i.path.length));
  const candidates = issue.errors.filter(
    (b) => b.length > 0 && !b.every((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  let best: z.core.$ZodIssue[] | undefined;
  for (const branch of candidates) if (!best || depth(branch) > depth(best)) best = branch;
  return best;
}

/** Duplicate names are checked by a refinement zod skips while other issues exist; report them anyway. */
function duplicateNames(raw: unknown): ConfigIssue[] {
  const routes = (raw as { routes?: unknown } | null)?.routes;
  if (!Array.isArray(routes)) return [];
  const seen = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  routes.forEach((route: unknown, index) => {
    const name = (route as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else issues.push({ path: `routes[${index}].name`, message: duplicateMessage(name, first) });
  });
  return issues;
}
