/**
 * Where in the rules file's text a problem sits: `line:column` (1-based) of the node a path
 * such as `routes[2].load.skipLeadingRows` names. Only the error path calls this, so a good
 * file never pays for it: a `.json` file is read at cold start with JSON.parse, and only
 * when it is refused is its text parsed again, by the YAML library (JSON is YAML 1.2), for
 * the nodes' positions.
 */
import { ConfigError, type ConfigIssue } from './errors';

export interface Position {
  line: number;
  column: number;
}

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: end - start + 1 };
}

/** `routes[1].match.regex` → `['routes', 1, 'match', 'regex']`. */
export function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) {
    segments.push(m[1] !== undefined ? Number(m[1]) : (m[2] ?? ''));
  }
  return segments;
}

/**
 * The issues with the position of the node each names. A path that goes further than the
 * file (a missing key) points at the deepest node that exists: the route or block where the
 * key belongs. Issues that already have a position keep it.
 */
export function locateIssues(text: string, issues: readonly ConfigIssue[]): ConfigIssue[] {
  if (issues.every((i) => i.line !== undefined)) return [...issues];
  const { parseDocument, isMap, isSeq, isScalar } = require('yaml') as typeof import('yaml');
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const locate = (path: string): number | undefined => {
    let node: unknown = doc.contents;
    let offset = (node as { range?: [number] } | null)?.range?.[0];
    for (const key of pathSegments(path)) {
      let next: unknown;
      let at: number | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        // A map entry is pointed at by its key: that is the field's name on the line.
        at = (pair?.key as { range?: [number] } | undefined)?.range?.[0];
        next = pair?.value;
      } else if (isSeq(node) && typeof key === 'number') {
        next = node.items[key];
        at = (next as { range?: [number] } | undefined)?.range?.[0];
      }
      if (at === undefined) break;
      offset = at;
      node = next;
    }
    return offset;
  };
  return issues.map((issue) => {
    if (issue.line !== undefined) return issue;
    const offset = locate(issue.path);
    return offset === undefined ? issue : { ...issue, ...positionAt(text, offset) };
  });
}

/**
 * The same error with every issue located in `text`; an error without a source (not made
 * from issues) is returned as it is.
 */
export function locateError(error: ConfigError, text: string): ConfigError {
  if (error.source === undefined || error.issues.length === 0) return error;
  return ConfigError.fromIssues(error.source, locateIssues(text, error.issues));
}
