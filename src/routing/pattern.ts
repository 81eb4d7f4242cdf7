/**
 * `gs://BUCKET/PATTERN` patterns, compiled once into a regular expression:
 * - `{name}` captures one path segment (no `/`),
 * - `*` matches within one segment, `**` across segments (a `**` followed by `/` may match
 *   zero folders, so `a/**` + `/b` also matches `a/b`),
 * - the bucket may use `*`; everything else is literal.
 * The literal prefix (up to the first wildcard) lets the router index thousands of routes.
 */
export interface ObjectPattern {
  /** The pattern as written. */
  source: string;
  /** `bucket/name` text every matching object starts with. */
  literalPrefix: string;
  /** Capture names in order of appearance. */
  captures: string[];
  /** True when the pattern matches every object of every bucket its bucket part matches. */
  matchesAll: boolean;
  /** Captures of a match, or null. */
  match(bucket: string, name: string): Record<string, string> | null;
}

/** Thrown by compilePattern; the caller adds the config path. */
export class PatternSyntaxError extends Error {
  override readonly name = 'PatternSyntaxError';
}

const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function compilePattern(source: string): ObjectPattern {
  const parsed = /^gs:\/\/([^/]+)\/(.+)$/.exec(source);
  if (!parsed) throw new PatternSyntaxError(`expected gs://BUCKET/PATTERN, got "${source}"`);
  const [, bucket = '', namePattern = ''] = parsed;
  if (/[{}]/.test(bucket)) {
    throw new PatternSyntaxError('the bucket cannot hold {captures} (use the {bucket} built-in)');
  }
  const bucketRegex = new RegExp(`^${bucket.split('*').map(escapeRegex).join('[^/]*')}$`);
  const { regex, captures } = compileName(namePattern);
  const nameRegex = new RegExp(`^${regex}$`, 's');
  const firstWild = `${bucket}/${namePattern}`.search(/[*{]/);
  const whole = `${bucket}/${namePattern}`;
  return {
    source,
    literalPrefix: firstWild < 0 ? whole : whole.slice(0, firstWild),
    captures,
    matchesAll: namePattern === '**',
    match(b, n) {
      if (!bucketRegex.test(b)) return null;
      const m = nameRegex.exec(n);
      if (!m) return null;
      const out: Record<string, string> = {};
      captures.forEach((c, i) => {
        out[c] = m[i + 1] ?? '';
      });
      return out;
    },
  };
}

function compileName(pattern: string): { regex: string; captures: string[] } {
  const captures: string[] = [];
  let regex = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      // `**/` may match zero folders; a bare `**` matches anything, `/` included.
      if (pattern[i + 2] === '/') {
        regex += '(?:.*/)?';
        i += 3;
      } else {
        regex += '.*';
        i += 2;
      }
    } else if (ch === '*') {
      regex += '[^/]*';
      i += 1;
    } else if (ch === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) throw new PatternSyntaxError(`unclosed "{" at position ${i} of "${pattern}"`);
      const name = pattern.slice(i + 1, end);
      if (!CAPTURE_NAME.test(name)) {
        throw new PatternSyntaxError(`"{${name}}" is not a capture name (letters, digits, _)`);
      }
      if (captures.includes(name))
        throw new PatternSyntaxError(`capture "{${name}}" appears twice`);
      captures.push(name);
      regex += '([^/]+)';
      i = end + 1;
    } else if (ch === '}') {
      throw new PatternSyntaxError(`unmatched "}" at position ${i} of "${pattern}"`);
    } else {
      regex += escapeRegex(ch ?? '');
      i += 1;
    }
  }
  return { regex, captures };
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `*` globs within one dot- or slash-free part (bucket names, allowlist entries, content types). */
export function globToRegex(glob: string, flags = ''): RegExp {
  return new RegExp(`^${glob.split('*').map(escapeRegex).join('.*')}$`, flags);
}
