/** Reading the parts of a JSON API request: headers, JSON bodies, attributes, preconditions. */
import type { IncomingMessage } from 'node:http';
import { invalid } from './errors';
import { ATTRIBUTE_KEYS, type AttributePatch, type ObjectAttributes } from './object';
import type { Preconditions } from './preconditions';

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw invalid('the request body is not a JSON object');
}

export function attributesFrom(body: Record<string, unknown>): ObjectAttributes {
  const out: ObjectAttributes = {};
  for (const key of ATTRIBUTE_KEYS) if (typeof body[key] === 'string') out[key] = body[key];
  const metadata = body.metadata;
  if (metadata && typeof metadata === 'object') {
    out.metadata = Object.fromEntries(
      Object.entries(metadata as Record<string, unknown>)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
  }
  return out;
}

export function patchFrom(body: Record<string, unknown>): AttributePatch {
  const patch: AttributePatch = {};
  for (const key of ATTRIBUTE_KEYS) {
    const value = body[key];
    if (value === null) patch[key] = null;
    else if (typeof value === 'string') patch[key] = value;
  }
  if (body.metadata === null) patch.metadata = null;
  else if (body.metadata && typeof body.metadata === 'object') {
    patch.metadata = Object.fromEntries(
      Object.entries(body.metadata as Record<string, unknown>).map(([k, v]) => [
        k,
        v === null || v === undefined ? null : String(v),
      ]),
    );
  }
  return patch;
}

/** For objects.update: every existing key not in the new map is removed. */
export function replaceMetadata(
  existing: Record<string, string> | undefined,
  next: Record<string, string | null> | null | undefined,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const key of Object.keys(existing ?? {})) out[key] = null;
  return { ...out, ...next };
}

export function preconditions(q: URLSearchParams): Preconditions {
  return {
    ifGenerationMatch: q.get('ifGenerationMatch') ?? undefined,
    ifGenerationNotMatch: q.get('ifGenerationNotMatch') ?? undefined,
    ifMetagenerationMatch: q.get('ifMetagenerationMatch') ?? undefined,
    ifMetagenerationNotMatch: q.get('ifMetagenerationNotMatch') ?? undefined,
  };
}

export function sourcePreconditions(q: URLSearchParams): Preconditions {
  return {
    ifGenerationMatch: q.get('ifSourceGenerationMatch') ?? undefined,
    ifGenerationNotMatch: q.get('ifSourceGenerationNotMatch') ?? undefined,
    ifMetagenerationMatch: q.get('ifSourceMetagenerationMatch') ?? undefined,
    ifMetagenerationNotMatch: q.get('ifSourceMetagenerationNotMatch') ?? undefined,
  };
}
