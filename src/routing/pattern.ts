/**
 * `gs://BUCKET/PATTERN` patterns (syntax and matching: src/core/glob.ts):
 * - `{name}` captures one path segment (no `/`),
 * - `*` matches within one segment, `**` across segments (a `**` followed by `/` may match
 *   zero folders, so `a/**` + `/b` also matches `a/b`),
 * - the bucket may use `*`; everything else is literal.
 * The literal prefix (up to the first wildcard) lets the router index thousands of routes.
 */
import { compileGlob, compileNamePattern, GlobSyntaxError } from '../core/glob';
import { parseGsUri } from '../core/gs-uri';

export interface ObjectPattern {
  /** The pattern as written. */
  source: string;
  /** The bucket part (may hold `*`). */
  bucketPattern: string;
  /** The name part, after the bucket's `/`. */
  namePattern: string;
  /** `bucket/name` text every matching object starts with. */
  literalPrefix: string;
  /** Capture names in order of appearance. */
  captures: string[];
  /** True when the pattern matches every object of every bucket its bucket part matches. */
  matchesAll: boolean;
  /** Captures of a match, or null. */
  match(bucket: string, name: string): Record<string, string> | null;
}

/** Throws GlobSyntaxError; the caller adds the config path. */
export function compilePattern(source: string): ObjectPattern {
  const parsed = parseGsUri(source);
  if (!parsed) throw new GlobSyntaxError(`expected gs://BUCKET/PATTERN, got "${source}"`);
  const { bucket, name: namePattern } = parsed;
  if (/[{}]/.test(bucket)) {
    throw new GlobSyntaxError('the bucket cannot hold {captures} (use the {bucket} built-in)');
  }
  const bucketGlob = compileGlob(bucket);
  const name = compileNamePattern(namePattern);
  return {
    source,
    bucketPattern: bucket,
    namePattern,
    literalPrefix: literalPrefix(`${bucket}/${namePattern}`),
    captures: name.captures,
    matchesAll: namePattern === '**',
    match: (b, n) => (bucketGlob.test(b) ? name.exec(n) : null),
  };
}

/** The text before the first wildcard or capture. */
export function literalPrefix(pattern: string): string {
  const wild = pattern.search(/[*{]/);
  return wild < 0 ? pattern : pattern.slice(0, wild);
}
