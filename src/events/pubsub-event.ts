/**
 * `google.cloud.pubsub.topic.v1.messagePublished`: one envelope, several kinds of message.
 * Each message decoder says whether a message is its kind; the first that claims it decodes
 * it. Load requests, inline data and sweep commands join this list in later changes.
 */
import type { DecodedEvent } from '../types';
import type { CloudEvent } from './cloudevent';
import { decodeGcsNotification, isGcsNotification } from './gcs-notification';
import { decodeInlineMessage, isInlineMessage } from './inline-message';
import { decodeLoadRequest, isLoadRequest, publishedMessageOf, topicOf } from './load-request';
import { MessagePublishedDataSchema, type PubsubMessage } from './pubsub-message';
import { describeIssues } from './reasons';
import { decodeSweepCommand, isSweepCommand } from './sweep-command';

export const PUBSUB_MESSAGE_PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished';

/** A message no decoder claims: what it would have needed to be one of ours. */
export const UNCLAIMED_REASON =
  'not a message this function takes: not a Cloud Storage notification (attributes bucketId and eventType), inline data (a route attribute), a load request (JSON with "kind": "load") or a sweep command (JSON with "kind": "sweep")';

export interface MessageDecoder {
  name: string;
  claims: (message: PubsubMessage, event: CloudEvent) => boolean;
  decode: (message: PubsubMessage, event: CloudEvent) => DecodedEvent;
}

export const MESSAGE_DECODERS: readonly MessageDecoder[] = [
  { name: 'gcs-notification', claims: isGcsNotification, decode: decodeGcsNotification },
  { name: 'inline-data', claims: isInlineMessage, decode: decodeInlineMessage },
  { name: 'load-request', claims: isLoadRequest, decode: decodeLoadRequest },
  { name: 'sweep-command', claims: isSweepCommand, decode: decodeSweepCommand },
];

export function decodePubsubEvent(
  event: CloudEvent,
  decoders: readonly MessageDecoder[] = MESSAGE_DECODERS,
): DecodedEvent {
  const parsed = MessagePublishedDataSchema.safeParse(event.data);
  if (!parsed.success) {
    return {
      kind: 'refused',
      reason: `invalid ${PUBSUB_MESSAGE_PUBLISHED} event: ${describeIssues(parsed.error, 'data')}`,
    };
  }
  const { message } = parsed.data;
  const decoder = decoders.find((d) => d.claims(message, event));
  if (!decoder) {
    // Nobody's message: refused with the message, so the handler dead-letters it (docs/requests.md:
    // Refusals, dead letters, retries) rather than only logging it.
    return {
      kind: 'refused',
      reason: UNCLAIMED_REASON,
      message: publishedMessageOf(message, event),
    };
  }
  return withTopic(decoder.decode(message, event), topicOf(event.source));
}

/**
 * Notifications and sweep commands carry the topic they came from (the key is present even
 * when the topic cannot be told), so allow.notificationTopics / allow.sweepTopics can be
 * checked before anything else.
 */
function withTopic(decoded: DecodedEvent, topic: string | undefined): DecodedEvent {
  if (decoded.kind === 'object' || decoded.kind === 'pointer' || decoded.kind === 'sweep') {
    return { ...decoded, topic };
  }
  return decoded;
}
