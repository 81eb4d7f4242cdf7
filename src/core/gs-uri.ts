/**
 * `gs://BUCKET/NAME` URIs: parsed and written here only.
 * https://cloud.google.com/storage/docs/request-endpoints
 * Object names hold no carriage return or line feed, and bucket names are 3-222 lowercase
 * letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
 * https://cloud.google.com/storage/docs/objects#naming
 * https://cloud.google.com/storage/docs/buckets#naming
 */

const SCHEME = 'gs://';
const BUCKET_NAME = '[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]';

/** `gs://BUCKET/NAME` naming one object (the rule schemas check input with). */
export const OBJECT_URI = new RegExp(`^gs:\\/\\/${BUCKET_NAME}\\/[^\\r\\n]+$`);
/** `gs://BUCKET/` or `gs://BUCKET/PREFIX`: every object whose name starts with PREFIX. */
export const PREFIX_URI = new RegExp(`^gs:\\/\\/${BUCKET_NAME}\\/[^\\r\\n]*$`);
/** `gs://BUCKET/` or `gs://BUCKET/FOLDER/`: a place objects go to, no wildcards or `#`. */
export const FOLDER_URI = new RegExp(`^gs:\\/\\/${BUCKET_NAME}\\/([^*?[\\]#]*\\/)?$`);
/** `gs://BUCKET/PATTERN` of a route: any bucket text (globs too), a pattern after it. */
export const PATTERN_URI = /^gs:\/\/[^/]+\/.+$/;

export interface GsObject {
  bucket: string;
  name: string;
}

/** True when `text` is a gs:// URI at all (a rules-file location, a schema path). */
export function isGsUri(text: string): boolean {
  return text.startsWith(SCHEME);
}

/** Undefined when `uri` does not name one object (`gs://BUCKET/NAME`, NAME not empty). */
export function parseGsUri(uri: string): GsObject | undefined {
  const parsed = parseGsPrefix(uri);
  return parsed?.prefix ? { bucket: parsed.bucket, name: parsed.prefix } : undefined;
}

/** `gs://BUCKET/` or `gs://BUCKET/PREFIX` → bucket and prefix ('' for the whole bucket). */
export function parseGsPrefix(uri: string): { bucket: string; prefix: string } | undefined {
  if (!isGsUri(uri) || /[\r\n]/.test(uri)) return undefined;
  const slash = uri.indexOf('/', SCHEME.length);
  if (slash <= SCHEME.length) return undefined;
  return { bucket: uri.slice(SCHEME.length, slash), prefix: uri.slice(slash + 1) };
}

/** `gs://bucket/name`: a BigQuery source URI, a log field. */
export function gsUri(object: GsObject): string {
  return `${SCHEME}${object.bucket}/${object.name}`;
}

/** `gs://bucket/name#generation`: one generation of an object, for messages. */
export function gsUriAt(object: GsObject & { generation?: string }): string {
  const at = object.generation === undefined ? '' : `#${object.generation}`;
  return `${gsUri(object)}${at}`;
}
