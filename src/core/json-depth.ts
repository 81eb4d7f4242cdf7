/**
 * How deep a JSON text nests, found by one pass over its bytes before anything parses it.
 * No real caller nests deeper than a few dozen levels; JSON.parse copes with millions, but
 * the seconds it takes and every recursive step after it (JSON.stringify, structuredClone)
 * do not. Strings are skipped, escapes honoured; UTF-8 continuation bytes are never ASCII,
 * so brackets inside multi-byte characters cannot be miscounted.
 */

/**
 * The deepest JSON the loader parses, request bodies and message data alike: no envelope or
 * message of a real caller nests deeper than a dozen levels.
 */
export const MAX_JSON_DEPTH = 64;

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** True when arrays and objects in `bytes` nest deeper than `max` levels. */
export function jsonNestsDeeper(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i += 1;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      depth += 1;
      if (depth > max) return true;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth -= 1;
    }
  }
  return false;
}
