/**
 * Reading one typed field of a `jobs.insert` body, refusing a wrong type with a 400 that
 * names the field.
 */
import { invalid, notSupported } from './errors';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(load: Record<string, unknown>, key: string): string | undefined {
  const value = load[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`load.${key} must be a string`);
  return value;
}

export function optionalBoolean(load: Record<string, unknown>, key: string): boolean {
  const value = load[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalid(`load.${key} must be a boolean`);
  return value;
}

/** int32 fields may arrive as numbers or decimal strings (JSON mapping of proto ints). */
export function optionalCount(load: Record<string, unknown>, key: string): number | undefined {
  const value = load[key];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw invalid(`load.${key} must be a non-negative integer`);
  }
  return n;
}

export function oneOf<T extends string>(
  load: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = optionalString(load, key);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalid(`load.${key}: "${value}" is not one of ${allowed.join(', ')} (or not supported)`);
  }
  return value as T;
}

export function parseDelimiter(value: string | undefined): string {
  if (value === undefined) return ',';
  // BigQuery accepts "\t" and the word "tab" for a tab.
  if (value === '\\t' || value.toLowerCase() === 'tab') return '\t';
  if (Buffer.byteLength(value) !== 1) {
    throw notSupported(`load.fieldDelimiter "${value}" (multi-byte delimiters)`);
  }
  return value;
}
