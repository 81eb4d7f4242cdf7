/**
 * Cloud Storage Pub/Sub notifications: the attributes name the event and the object; with
 * payload `JSON_API_V1` the message data is the object resource, with `NONE` it is empty.
 * https://cloud.google.com/storage/docs/pubsub-notifications#attributes
 */
import * as z from 'zod';
import { gsUri } from '../core/gs-uri';
import type { DecodedEvent } from '../types';
import { Int64Schema } from './int64';
import { messageBytes, messageJson, type PubsubMessage } from './pubsub-message';
import { describeIssues } from './reasons';
import { ObjectNameSchema, StorageObjectDataSchema, toObjectRef } from './storage-object';

export const GcsNotificationAttributesSchema = z.object({
  eventType: z.string().min(1),
  payloadFormat: z.string().min(1),
  bucketId: z.string().min(1),
  objectId: ObjectNameSchema,
  objectGeneration: Int64Schema,
  eventTime: z.string().optional(),
  notificationConfig: z.string().optional(),
  overwroteGeneration: z.string().optional(),
  overwrittenByGeneration: z.string().optional(),
});

export type GcsNotificationAttributes = z.infer<typeof GcsNotificationAttributesSchema>;

const ATTRIBUTES = 'data.message.attributes';
const PAYLOAD = 'data.message.data';

/** A GCS notification always carries these two attributes; other messages are not ours. */
export function isGcsNotification(message: PubsubMessage): boolean {
  const attributes = message.attributes ?? {};
  return 'bucketId' in attributes && 'eventType' in attributes;
}

/** Decodes a message already known to be a GCS notification (see `isGcsNotification`). */
export function decodeGcsNotification(message: PubsubMessage): DecodedEvent {
  const parsed = GcsNotificationAttributesSchema.safeParse(message.attributes ?? {});
  if (!parsed.success) {
    const object = knownObject(message.attributes);
    return {
      kind: 'refused',
      reason: `invalid Cloud Storage notification: ${describeIssues(parsed.error, ATTRIBUTES)}`,
      ...(object ? { object } : {}),
    };
  }
  const attributes = parsed.data;
  const object = gsUri({ bucket: attributes.bucketId, name: attributes.objectId });
  if (attributes.eventType !== 'OBJECT_FINALIZE') {
    return {
      kind: 'ignored',
      reason: `Cloud Storage notification ${attributes.eventType} is not a new object generation`,
      object,
    };
  }
  switch (attributes.payloadFormat) {
    case 'NONE':
      return {
        kind: 'pointer',
        pointer: {
          bucket: attributes.bucketId,
          name: attributes.objectId,
          generation: attributes.objectGeneration,
        },
        via: 'object',
      };
    case 'JSON_API_V1':
      return decodeObjectPayload(message, attributes, object);
    default:
      return {
        kind: 'refused',
        reason: `${ATTRIBUTES}.payloadFormat: unsupported value (expected JSON_API_V1 or NONE)`,
        object,
      };
  }
}

/** The JSON_API_V1 payload is the object resource; it must describe the object the attributes name. */
function decodeObjectPayload(
  message: PubsubMessage,
  attributes: GcsNotificationAttributes,
  object: string,
): DecodedEvent {
  const bytes = messageBytes(message);
  if (!bytes || bytes.length === 0) {
    return {
      kind: 'refused',
      reason: `${PAYLOAD}: expected base64 of the object resource`,
      object,
    };
  }
  const payload = messageJson(message);
  if ('problem' in payload) {
    return {
      kind: 'refused',
      reason: `${PAYLOAD}: expected the object resource as JSON (${payload.problem})`,
      object,
    };
  }
  const parsed = StorageObjectDataSchema.safeParse(payload.json);
  if (!parsed.success) {
    return {
      kind: 'refused',
      reason: `invalid Cloud Storage notification payload: ${describeIssues(parsed.error, PAYLOAD)}`,
      object,
    };
  }
  const resource = parsed.data;
  const mismatch = (
    [
      ['bucket', resource.bucket, 'bucketId', attributes.bucketId],
      ['name', resource.name, 'objectId', attributes.objectId],
      ['generation', resource.generation, 'objectGeneration', attributes.objectGeneration],
    ] as const
  ).find(([, fromPayload, , fromAttributes]) => fromPayload !== fromAttributes);
  if (mismatch) {
    return {
      kind: 'refused',
      reason: `${PAYLOAD}.${mismatch[0]} does not match ${ATTRIBUTES}.${mismatch[2]}`,
      object,
    };
  }
  return { kind: 'object', object: toObjectRef(resource), via: 'object' };
}

function knownObject(attributes: Record<string, string> | null | undefined): string | undefined {
  const bucket = attributes?.bucketId;
  const name = attributes?.objectId;
  return bucket && name ? gsUri({ bucket, name }) : undefined;
}
