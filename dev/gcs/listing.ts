/**
 * One page of an objects.list answer over sorted names: prefix, delimiter (→ `prefixes`),
 * startOffset/endOffset, matchGlob, maxResults and an opaque pageToken.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/list
 */
import picomatch from 'picomatch';

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  startOffset?: string;
  endOffset?: string;
  matchGlob?: string;
  maxResults?: number;
  pageToken?: string;
}

export interface ListPage {
  names: string[];
  prefixes: string[];
  nextPageToken?: string;
}

const DEFAULT_MAX_RESULTS = 1000;

/** The token carries the last entry returned: a name, or a collapsed prefix to skip entirely. */
interface PageToken {
  after: string;
  skipPrefix?: string;
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): PageToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as PageToken;
    if (typeof parsed.after !== 'string') throw new Error('no "after"');
    return parsed;
  } catch (err) {
    throw new Error(`invalid pageToken ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}

/**
 * `sortedNames` must be sorted ascending. Throws on a malformed pageToken. The page starts with
 * a binary search and stops at the end of the prefix or at endOffset, so a page costs about its
 * own size, not the bucket's.
 */
export function listPage(sortedNames: readonly string[], options: ListOptions): ListPage {
  const prefix = options.prefix ?? '';
  const delimiter = options.delimiter || undefined;
  const max =
    options.maxResults && options.maxResults > 0 ? options.maxResults : DEFAULT_MAX_RESULTS;
  const token = options.pageToken ? decodeToken(options.pageToken) : undefined;
  const glob = options.matchGlob ? picomatch(options.matchGlob, { dot: true }) : undefined;

  const names: string[] = [];
  const prefixes: string[] = [];
  let last: PageToken | undefined;
  let skipPrefix = token?.skipPrefix;

  let i = firstIndex(sortedNames, (n) => n >= prefix);
  if (token)
    i = Math.max(
      i,
      firstIndex(sortedNames, (n) => n > token.after),
    );
  if (options.startOffset) {
    const start = options.startOffset;
    i = Math.max(
      i,
      firstIndex(sortedNames, (n) => n >= start),
    );
  }
  while (i < sortedNames.length) {
    const name = sortedNames[i] as string;
    // Names sharing a prefix are contiguous, so past it (or past endOffset) nothing matches.
    if (!name.startsWith(prefix)) break;
    if (options.endOffset && name >= options.endOffset) break;
    if (skipPrefix !== undefined && name.startsWith(skipPrefix)) {
      i = endOfPrefix(sortedNames, i, skipPrefix);
      continue;
    }
    i += 1;
    if (glob && !glob(name)) continue;

    if (names.length + prefixes.length >= max) {
      return { names, prefixes, nextPageToken: last && encodeToken(last) };
    }
    const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
    if (delimiter && cut >= 0) {
      const collapsed = name.slice(0, cut + delimiter.length);
      prefixes.push(collapsed);
      skipPrefix = collapsed;
      last = { after: name, skipPrefix: collapsed };
    } else {
      names.push(name);
      last = { after: name, skipPrefix };
    }
  }
  return { names, prefixes };
}

/** The first index whose name satisfies `isPast` (false, then true, over the sorted names). */
function firstIndex(sorted: readonly string[], isPast: (name: string) => boolean): number {
  return searchFrom(sorted, 0, isPast);
}

/** The first index after `from` (whose name starts with `prefix`) that is past the prefix. */
function endOfPrefix(sorted: readonly string[], from: number, prefix: string): number {
  return searchFrom(sorted, from + 1, (name) => !name.startsWith(prefix));
}

function searchFrom(
  sorted: readonly string[],
  from: number,
  isPast: (name: string) => boolean,
): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isPast(sorted[mid] as string)) high = mid;
    else low = mid + 1;
  }
  return low;
}
