/**
 * Eventarc Cloud Storage events. Only `finalized` (a new object or a new generation: upload,
 * overwrite, copy, rewrite, restore) is a load; the other types are acknowledged and ignored.
 * https://cloud.google.com/eventarc/docs/reference/supported-events#cloud-storage
 */
import { gsUri } from '../core/gs-uri';
import type { DecodedEvent } from '../types';
import type { CloudEvent } from './cloudevent';
import { describeIssues } from './reasons';
import { StorageObjectDataSchema, toObjectRef } from './storage-object';

export const STORAGE_FINALIZED = 'google.cloud.storage.object.v1.finalized';

export const STORAGE_IGNORED_TYPES = [
  'google.cloud.storage.object.v1.metadataUpdated',
  'google.cloud.storage.object.v1.deleted',
  'google.cloud.storage.object.v1.archived',
] as const;

export function decodeStorageEvent(event: CloudEvent): DecodedEvent {
  const object = objectFromEnvelope(event);
  if (event.type !== STORAGE_FINALIZED) {
    const what = event.type.slice(event.type.lastIndexOf('.') + 1);
    return {
      kind: 'ignored',
      reason: `storage event ${what} is not a new object generation`,
      ...(object ? { object } : {}),
    };
  }
  const parsed = StorageObjectDataSchema.safeParse(event.data);
  if (!parsed.success) {
    return {
      kind: 'refused',
      reason: `invalid ${STORAGE_FINALIZED} event: ${describeIssues(parsed.error, 'data')}`,
      ...(object ? { object } : {}),
    };
  }
  return { kind: 'object', object: toObjectRef(parsed.data), via: 'object' };
}

/**
 * `source` = `//storage.googleapis.com/projects/_/buckets/{bucket}`, `subject` =
 * `objects/{name}`: enough to name the object in a log line even when `data` is broken.
 */
function objectFromEnvelope(event: CloudEvent): string | undefined {
  const bucket = /\/buckets\/([^/]+)$/.exec(event.source)?.[1];
  const name = event.subject?.startsWith('objects/') ? event.subject.slice(8) : undefined;
  return bucket && name ? gsUri({ bucket, name }) : undefined;
}
