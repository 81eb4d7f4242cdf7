/**
 * Cloud Storage's own limits on object names: 1 to 1,024 bytes of UTF-8, no carriage return
 * or line feed, not `.` or `..`; control characters are advised against (XML 1.0 forbids
 * them). An event naming an object beyond these limits was not sent by Cloud Storage.
 * https://cloud.google.com/storage/docs/objects#naming
 */

export const MAX_OBJECT_NAME_BYTES = 1024;

// A surrogate without its pair cannot be written as UTF-8.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why Cloud Storage could not hold an object of this name, or undefined if it could. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the object name is empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_OBJECT_NAME_BYTES) {
    return `the object name is ${bytes} bytes long; Cloud Storage allows at most ${MAX_OBJECT_NAME_BYTES}`;
  }
  const control = firstControl(name);
  if (control !== undefined) {
    const code = control.toString(16).toUpperCase().padStart(4, '0');
    return `the object name holds control character U+${code}`;
  }
  if (LONE_SURROGATE.test(name)) return 'the object name is not valid Unicode';
  if (name === '.' || name === '..') return `the object name cannot be ${name}`;
  return undefined;
}

/** The first C0 control, DEL or C1 control in `text`. */
function firstControl(text: string): number | undefined {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return c;
  }
  return undefined;
}

/** Objects the loader writes for itself (sweep leases): never routed, never loaded. */
export const OWN_PREFIX = '.bq-autoloader/';
