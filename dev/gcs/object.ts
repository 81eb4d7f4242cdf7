/**
 * What the local GCS store keeps of one object beside its bytes, and the attributes a client
 * may set on it (insert, patch, copy overrides).
 */

/** Attributes a writer may set; `metadata` is the custom string map. */
export interface ObjectAttributes {
  contentType?: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  metadata?: Record<string, string>;
}

/** A patch: a key set to null is removed (for `metadata`, per key or all of it). */
export type AttributePatch = {
  [K in Exclude<keyof ObjectAttributes, 'metadata'>]?: string | null;
} & { metadata?: Record<string, string | null> | null };

/** What the sidecar holds: one live generation of one object. int64s are decimal strings. */
export interface StoredObject extends ObjectAttributes {
  bucket: string;
  name: string;
  generation: string;
  metageneration: string;
  size: string;
  md5Hash: string;
  crc32c: string;
  timeCreated: string;
  updated: string;
  /** The file's identity when this generation was recorded, to notice overwrites by hand. */
  file: { size: number; mtimeMs: number; ino: number };
}

/** The object attributes a client may set (insert, patch, copy overrides). */
export const ATTRIBUTE_KEYS = [
  'contentType',
  'contentEncoding',
  'cacheControl',
  'contentDisposition',
  'contentLanguage',
] as const;

export function attributesOf(object: StoredObject): ObjectAttributes {
  const out: ObjectAttributes = {};
  for (const key of ATTRIBUTE_KEYS) if (object[key] !== undefined) out[key] = object[key];
  if (object.metadata) out.metadata = { ...object.metadata };
  return out;
}

/** The attributes that are set, without an empty custom metadata map. */
export function definedAttributes(attributes: ObjectAttributes): ObjectAttributes {
  const out = attributesOf({ ...attributes } as StoredObject);
  if (out.metadata && Object.keys(out.metadata).length === 0) delete out.metadata;
  return out;
}

/** `object` with `patch` applied to its attributes (generations and times are the caller's). */
export function patched(object: StoredObject, patch: AttributePatch): StoredObject {
  const next: StoredObject = { ...object };
  for (const key of ATTRIBUTE_KEYS) {
    const value = patch[key];
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  if (patch.metadata === null) delete next.metadata;
  else if (patch.metadata) {
    const metadata: Record<string, string> = { ...object.metadata };
    for (const [key, value] of Object.entries(patch.metadata)) {
      if (value === null) delete metadata[key];
      else metadata[key] = String(value);
    }
    if (Object.keys(metadata).length > 0) next.metadata = metadata;
    else delete next.metadata;
  }
  return next;
}
