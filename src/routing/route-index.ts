/**
 * The index that makes route lookup sub-linear: routes are grouped by bucket (literal buckets
 * in one hash map, each distinct bucket glob in its own group), and within a group by the
 * literal prefix of their name pattern. A lookup probes one map entry per distinct prefix
 * length, then tries only the candidates, in rules-file order (first match wins).
 */
import { compileGlob, type GlobMatcher } from '../core/glob';

export interface IndexedRoute {
  index: number;
  /** The bucket part of the match (may hold `*`). */
  bucketPattern: string;
  /** Literal text every matching object name starts with ('' when unknown). */
  namePrefix: string;
}

class PrefixIndex {
  private readonly byPrefix = new Map<string, number[]>();
  private lengths: number[] = [];

  add(prefix: string, routeIndex: number): void {
    const list = this.byPrefix.get(prefix);
    if (list) list.push(routeIndex);
    else this.byPrefix.set(prefix, [routeIndex]);
    if (!this.lengths.includes(prefix.length)) {
      this.lengths = [...this.lengths, prefix.length].sort((a, b) => a - b);
    }
  }

  collect(name: string, out: number[]): void {
    for (const length of this.lengths) {
      if (length > name.length) break;
      const found = this.byPrefix.get(length === name.length ? name : name.slice(0, length));
      if (found) for (const i of found) out.push(i);
    }
  }
}

export class RouteIndex {
  private readonly literalBuckets = new Map<string, PrefixIndex>();
  private readonly globBuckets: { bucket: GlobMatcher; names: PrefixIndex }[] = [];
  private readonly globByPattern = new Map<string, PrefixIndex>();

  constructor(routes: readonly IndexedRoute[]) {
    for (const route of routes) {
      let names: PrefixIndex | undefined;
      if (route.bucketPattern.includes('*')) {
        names = this.globByPattern.get(route.bucketPattern);
        if (!names) {
          names = new PrefixIndex();
          this.globByPattern.set(route.bucketPattern, names);
          this.globBuckets.push({ bucket: compileGlob(route.bucketPattern), names });
        }
      } else {
        names = this.literalBuckets.get(route.bucketPattern);
        if (!names) {
          names = new PrefixIndex();
          this.literalBuckets.set(route.bucketPattern, names);
        }
      }
      names.add(route.namePrefix, route.index);
    }
  }

  /** Indexes of the routes that may match, ascending (rules-file order). */
  candidates(bucket: string, name: string): number[] {
    const out: number[] = [];
    this.literalBuckets.get(bucket)?.collect(name, out);
    for (const group of this.globBuckets) {
      if (group.bucket.test(bucket)) group.names.collect(name, out);
    }
    return out.length > 1 ? out.sort((a, b) => a - b) : out;
  }
}

/**
 * The literal text a regex's match must start with, when it is anchored with `^` and has no
 * top-level alternative; '' when that cannot be told simply (which only costs speed).
 */
export function regexLiteralPrefix(regex: string): string {
  if (!regex.startsWith('^') || regex.includes('|')) return '';
  let prefix = '';
  let i = 1;
  for (; i < regex.length; i += 1) {
    const ch = regex[i] ?? '';
    if (ch === '\\') {
      const next = regex[i + 1] ?? '';
      // An escaped punctuation character is itself; `\d`, `\w`, ... are classes.
      if (!/[/.\-_\\*+?()[\]{}^$|]/.test(next)) break;
      if (/[?*+{]/.test(regex[i + 2] ?? '')) break;
      prefix += next;
      i += 1;
      continue;
    }
    if (/[.^$|?*+()[\]{}]/.test(ch)) break;
    if (/[?*+{]/.test(regex[i + 1] ?? '')) break;
    prefix += ch;
  }
  return prefix;
}
