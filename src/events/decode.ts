/**
 * The one entry point from the outside world: any CloudEvent (or anything posing as one)
 * becomes a `DecodedEvent`. Nothing here throws on bad input: a bad event is refused with a
 * reason that names the field, so the handler can log it and acknowledge.
 */
import type { DecodedEvent } from '../types';
import { type CloudEvent, CloudEventSchema } from './cloudevent';
import { AUDIT_LOG_WRITTEN, decodeJobCompletedEvent } from './job-completed';
import { decodePubsubEvent, PUBSUB_MESSAGE_PUBLISHED } from './pubsub-event';
import { fromRawPushBody } from './pubsub-push';
import { describeIssues } from './reasons';
import { decodeStorageEvent, STORAGE_FINALIZED, STORAGE_IGNORED_TYPES } from './storage-event';

type EventDecoder = (event: CloudEvent) => DecodedEvent;

/** CloudEvent `type` → decoder. A new input shape is one more entry. */
const DECODERS: ReadonlyMap<string, EventDecoder> = new Map<string, EventDecoder>([
  [STORAGE_FINALIZED, decodeStorageEvent],
  ...STORAGE_IGNORED_TYPES.map((type): [string, EventDecoder] => [type, decodeStorageEvent]),
  [PUBSUB_MESSAGE_PUBLISHED, decodePubsubEvent],
  [AUDIT_LOG_WRITTEN, decodeJobCompletedEvent],
]);

export function decodeEvent(event: unknown): DecodedEvent {
  const envelope = CloudEventSchema.safeParse(event);
  if (!envelope.success) {
    const push = fromRawPushBody(event, PUBSUB_MESSAGE_PUBLISHED);
    if (push) return decodePubsubEvent(push);
    return {
      kind: 'refused',
      reason: `not a CloudEvent 1.0: ${describeIssues(envelope.error, '')}`,
    };
  }
  const decoder = DECODERS.get(envelope.data.type);
  if (!decoder) {
    return {
      kind: 'refused',
      reason: `unsupported event type ${envelope.data.type.slice(0, 200)}`,
    };
  }
  return decoder(envelope.data);
}
