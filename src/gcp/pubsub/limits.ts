/**
 * What Pub/Sub accepts in one published message, and how a message is cut to fit it.
 * https://cloud.google.com/pubsub/quotas#resource_limits: at most 100 attributes, an attribute
 * key at most 256 bytes and a value at most 1,024 bytes, the data at most 10 MB, a publish
 * request at most 10 MB in total. Over REST the data travels as base64 inside JSON, and the
 * answer to a request over the limit is "Request payload size exceeds the limit: 10485760
 * bytes" (seen in https://github.com/apache/beam/issues/23022), so what is measured here is
 * the JSON body this publisher sends, kept under 10,000,000 bytes: a message that was within
 * the limits when its sender published it (over gRPC, as raw bytes) may not be once it is
 * base64 and carries our attributes too.
 */
import type { OutgoingMessage } from './publisher';

export const PUBSUB_LIMITS = {
  attributes: 100,
  keyBytes: 256,
  valueBytes: 1024,
  /** The whole JSON publish request body, with a margin under 10 MiB. */
  requestBytes: 10_000_000,
} as const;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** The bytes of the `topics.publish` JSON body that carries `message` alone. */
export function publishRequestBytes(message: OutgoingMessage): number {
  return utf8(JSON.stringify({ messages: [message] }));
}

/** Why Pub/Sub would refuse to publish `message`, or undefined when it would take it. */
export function pubsubLimitProblem(message: OutgoingMessage): string | undefined {
  const attributes = Object.entries(message.attributes ?? {});
  if (attributes.length > PUBSUB_LIMITS.attributes) {
    return `${attributes.length} attributes (at most ${PUBSUB_LIMITS.attributes})`;
  }
  if (attributes.some(([key, value]) => !attributeFits(key, value))) {
    return `an attribute key over ${PUBSUB_LIMITS.keyBytes} bytes or value over ${PUBSUB_LIMITS.valueBytes} bytes, or a key starting with goog`;
  }
  const size = publishRequestBytes(message);
  if (size > PUBSUB_LIMITS.requestBytes) {
    return `a publish request of ${size} bytes (at most ${PUBSUB_LIMITS.requestBytes})`;
  }
  return undefined;
}

/** Within the sizes, and not a key Pub/Sub reserves (`goog…`, refused on publish). */
function attributeFits(key: string, value: string): boolean {
  return (
    !/^goog/i.test(key) &&
    utf8(key) <= PUBSUB_LIMITS.keyBytes &&
    utf8(value) <= PUBSUB_LIMITS.valueBytes
  );
}

/**
 * `message` cut so that Pub/Sub takes it: the `fixed` attributes whole (they must fit the
 * limits themselves), then the message's own attributes in their order while there is room
 * (one that no message may carry is left out), then the first bytes of the data — as many as
 * fit, and at most `maxDataBytes`.
 */
export function cutToFit(
  message: OutgoingMessage,
  fixed: Record<string, string>,
  maxDataBytes = Number.POSITIVE_INFINITY,
): OutgoingMessage {
  const attributes: Record<string, string> = {};
  let room = PUBSUB_LIMITS.attributes - Object.keys(fixed).length;
  for (const [key, value] of Object.entries(message.attributes ?? {})) {
    if (room <= 0) break;
    if (key in fixed || !attributeFits(key, value)) continue;
    attributes[key] = value;
    room -= 1;
  }
  Object.assign(attributes, fixed);
  const data = Buffer.from(message.data ?? '', 'base64');
  // `"data":"…",` around the base64, which takes 4 bytes for every 3.
  const free = PUBSUB_LIMITS.requestBytes - publishRequestBytes({ attributes }) - 16;
  const keep = Math.max(0, Math.min(data.length, maxDataBytes, Math.floor(free / 4) * 3));
  return keep > 0
    ? { data: data.subarray(0, keep).toString('base64'), attributes }
    : { attributes };
}
