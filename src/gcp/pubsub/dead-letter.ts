/**
 * Dead letters: a refused message is republished to the operator's `deadLetterTopic` with why
 * it was refused and where it came from as attributes, so nothing a publisher sent is
 * silently dropped. Unchanged when Pub/Sub takes it that way; when the original with our
 * attributes is over Pub/Sub's limits (./limits.ts), the dead letter is cut to fit and says so
 * (`truncated`, `originalBytes`, `originalAttributes`), and with a dead-letter store the
 * original is written there first, whole, and the dead letter carries `originalUri` and an
 * excerpt of the data. Errors are thrown: settle.ts decides what a failed dead letter means.
 */
import { createHash } from 'node:crypto';
import { PermanentError } from '../../errors';
import type { PublishedMessage } from '../../types';
import type { ObjectWriter } from '../storage/writes';
import { cutToFit, pubsubLimitProblem } from './limits';
import { type OutgoingMessage, type Publisher, truncateUtf8 } from './publisher';

/** Attributes added to a dead letter (the original attributes are kept where they fit). */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'reason',
  sourceTopic: 'sourceTopic',
  sourceMessageId: 'sourceMessageId',
  /** `true` when the dead letter is not the whole original. */
  truncated: 'truncated',
  /** The original's data size in bytes, and its number of attributes. */
  originalBytes: 'originalBytes',
  originalAttributes: 'originalAttributes',
  /** Where the whole original is (with a dead-letter store). */
  originalUri: 'originalUri',
  /** Why the store could not keep the original (the dead letter is cut without it). */
  originalStoreError: 'originalStoreError',
} as const;

/** The data a dead letter keeps of an original stored in full: enough to recognize it. */
const DEAD_LETTER_EXCERPT_BYTES = 64 * 1024;

/** Where originals too large to dead-letter whole are kept: `gs://bucket/prefix…`. */
export interface DeadLetterStore {
  bucket: string;
  prefix: string;
  writer: ObjectWriter;
}

export interface DeadLetterSent {
  messageId: string;
  /** Set when the dead letter was cut to fit Pub/Sub's limits. */
  truncated?: { problem: string; originalBytes: number; originalUri?: string; storeError?: string };
}

/**
 * What a failed write of the original to the store means: `retry` throws a transient
 * failure (the message is redelivered and the write tried again); `cut` sends the cut dead
 * letter without the original, saying why. A permanent failure (403: no grant on the store's
 * bucket) always cuts: a redelivery would fail the same way, and the dead letter would be lost.
 */
export type StoreFailure = 'retry' | 'cut';

/** The refusal and the source, as attributes: always kept whole. */
function ownAttributes(message: PublishedMessage, reason: string): Record<string, string> {
  const A = DEAD_LETTER_ATTRIBUTES;
  return {
    [A.reason]: truncateUtf8(reason),
    ...(message.topic ? { [A.sourceTopic]: truncateUtf8(message.topic) } : {}),
    ...(message.messageId ? { [A.sourceMessageId]: truncateUtf8(message.messageId) } : {}),
  };
}

/** The dead letter of `message` as it is: the original with our attributes added. */
export function deadLetterMessage(message: PublishedMessage, reason: string): OutgoingMessage {
  const attributes = { ...message.attributes, ...ownAttributes(message, reason) };
  // Pub/Sub refuses a message with neither data nor attributes; `reason` is always set here.
  return { ...(message.data ? { data: message.data } : {}), attributes };
}

export async function sendDeadLetter(
  publisher: Publisher,
  topic: string,
  message: PublishedMessage,
  reason: string,
  store?: DeadLetterStore,
  onStoreFailure: StoreFailure = 'retry',
): Promise<DeadLetterSent> {
  const whole = deadLetterMessage(message, reason);
  const problem = pubsubLimitProblem(whole);
  if (!problem) return { messageId: await publisher.publish(topic, whole) };

  const A = DEAD_LETTER_ATTRIBUTES;
  const originalBytes = Buffer.from(message.data ?? '', 'base64').length;
  const fixed: Record<string, string> = {
    ...ownAttributes(message, reason),
    [A.truncated]: 'true',
    [A.originalBytes]: String(originalBytes),
    [A.originalAttributes]: String(Object.keys(message.attributes).length),
  };
  let originalUri: string | undefined;
  let storeError: string | undefined;
  if (store) {
    try {
      originalUri = await keepOriginal(store, message, reason);
      fixed[A.originalUri] = originalUri;
    } catch (error) {
      if (!(error instanceof PermanentError) && onStoreFailure === 'retry') throw error;
      storeError = error instanceof Error ? error.message : String(error);
      fixed[A.originalStoreError] = truncateUtf8(storeError);
    }
  }
  const cut = cutToFit(
    { ...(message.data ? { data: message.data } : {}), attributes: message.attributes },
    fixed,
    originalUri ? DEAD_LETTER_EXCERPT_BYTES : undefined,
  );
  const messageId = await publisher.publish(topic, cut);
  return {
    messageId,
    truncated: {
      problem,
      originalBytes,
      ...(originalUri ? { originalUri } : {}),
      ...(storeError ? { storeError } : {}),
    },
  };
}

/**
 * Writes the whole message (JSON: topic, messageId, publishTime, attributes, base64 data and
 * the reason) under a name that is the same on every delivery, once.
 */
async function keepOriginal(
  store: DeadLetterStore,
  message: PublishedMessage,
  reason: string,
): Promise<string> {
  const name = `${store.prefix}${originalName(message)}`;
  const body = Buffer.from(JSON.stringify({ ...message, reason }), 'utf8');
  await store.writer.create({ bucket: store.bucket, name, body, contentType: 'application/json' });
  return `gs://${store.bucket}/${name}`;
}

/**
 * `projects/P/topics/T/<message id>.json`: the same on every delivery of one message. A
 * topic or id that is not a plain Pub/Sub name (it came from a URL path) is replaced: the
 * topic by `unknown-topic`, the id by a hash (of the whole message when there is none).
 */
export function originalName(message: PublishedMessage): string {
  const plainTopic = /^projects\/[a-z0-9.:-]{1,100}\/topics\/[A-Za-z0-9._~%+-]{1,255}$/;
  const topic =
    message.topic && plainTopic.test(message.topic) && !message.topic.includes('..')
      ? message.topic
      : 'unknown-topic';
  const id = message.messageId;
  if (id && /^[A-Za-z0-9_-]{1,128}$/.test(id)) return `${topic}/${id}.json`;
  const hash = createHash('sha256')
    .update(id ?? JSON.stringify(message))
    .digest('hex');
  return `${topic}/${hash}.json`;
}
