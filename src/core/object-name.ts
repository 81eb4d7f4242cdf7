/**
 * Cloud Storage's own limits on object names: 1 to 1,024 bytes of UTF-8, no carriage return
 * or line feed, not `.` or `..`; control characters are advised against (XML 1.0 forbids
 * them). An event naming an object beyond these limits was not sent by Cloud Storage.
 * https://cloud.google.com/storage/docs/objects#naming
 */

export const MAX_OBJECT_NAME_BYTES = 1024;

// C0 controls, DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// A surrogate without its pair cannot be written as UTF-8.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why Cloud Storage could not hold an object of this name, or undefined if it could. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the object name is empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_OBJECT_NAME_BYTES) {
    return `the object name is ${bytes} bytes long; Cloud Storage allows at most ${MAX_OBJECT_NAME_BYTES}`;
  }
  const control = CONTROL.exec(name);
  if (control) {
    const code = (control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return `the object name holds control character U+${code}`;
  }
  if (LONE_SURROGATE.test(name)) return 'the object name is not valid Unicode';
  if (name === '.' || name === '..') return `the object name cannot be ${name}`;
  return undefined;
}
