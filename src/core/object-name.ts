/**
 * Cloud Storage's own rules for object names, and no more: 1 to 1,024 bytes of UTF-8 (valid
 * Unicode), no carriage return or line feed, not `.` or `..`, not starting with
 * `.well-known/acme-challenge/`. An event naming an object beyond these was not sent by Cloud
 * Storage. What Cloud Storage merely advises against (control characters, which XML 1.0
 * listings cannot hold; `#`, `[`, `*`…) is a real object name: it is loaded like any other.
 * https://cloud.google.com/storage/docs/objects#naming
 */

export const MAX_OBJECT_NAME_BYTES = 1024;

const ACME_PREFIX = '.well-known/acme-challenge/';

// A surrogate without its pair cannot be written as UTF-8.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why Cloud Storage could not hold an object of this name, or undefined if it could. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the object name is empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_OBJECT_NAME_BYTES) {
    return `the object name is ${bytes} bytes long; Cloud Storage allows at most ${MAX_OBJECT_NAME_BYTES}`;
  }
  const newline = /[\r\n]/.exec(name)?.[0];
  if (newline !== undefined) {
    return `the object name holds a ${newline === '\r' ? 'carriage return' : 'line feed'}`;
  }
  if (LONE_SURROGATE.test(name)) return 'the object name is not valid Unicode';
  if (name === '.' || name === '..') return `the object name cannot be ${name}`;
  if (name.startsWith(ACME_PREFIX)) return `the object name cannot start with ${ACME_PREFIX}`;
  return undefined;
}

/** Objects the loader writes for itself (sweep leases): never routed, never loaded. */
export const OWN_PREFIX = '.bq-autoloader/';
