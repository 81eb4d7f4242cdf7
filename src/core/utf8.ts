/** Strict UTF-8: bytes that are not well-formed UTF-8 are refused, never replaced with U+FFFD. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The text `bytes` encode, or undefined when they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}
