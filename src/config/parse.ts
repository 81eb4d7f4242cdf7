/**
 * Rules-file text → validated `Config`. YAML 1.2 is a superset of JSON, so one parser reads
 * both. Every problem is collected into one ConfigError naming its path.
 */
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue, formatPath } from './errors';
import { type Config, ConfigSchema, duplicateMessage } from './schema';

export function parseConfig(text: string, source: string): Config {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw ConfigError.fromIssues(
      source,
      doc.errors.map((e) => ({ path: '', message: `not valid YAML/JSON: ${e.message}` })),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = toIssues(result.error);
    for (const dup of duplicateNames(raw)) {
      if (!issues.some((i) => i.path === dup.path)) issues.push(dup);
    }
    throw ConfigError.fromIssues(source, issues);
  }
  return result.data;
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
