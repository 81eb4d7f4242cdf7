/**
 * Dead letters: a refused load request or inline payload is republished unchanged to the
 * operator's `deadLetterTopic`, with why it was refused and where it came from as
 * attributes, so nothing a publisher sent is silently dropped. Failures to publish are
 * retryable: the handler throws and the original message is redelivered.
 */
import type { PublishedMessage } from '../../types';
import { type Publisher, truncateUtf8 } from './publisher';

/** Attributes added to a dead letter (the original attributes are kept). */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'reason',
  sourceTopic: 'sourceTopic',
  sourceMessageId: 'sourceMessageId',
} as const;

export function deadLetterMessage(
  message: PublishedMessage,
  reason: string,
): { data?: string; attributes: Record<string, string> } {
  const attributes: Record<string, string> = {
    ...message.attributes,
    [DEAD_LETTER_ATTRIBUTES.reason]: truncateUtf8(reason),
  };
  if (message.topic) attributes[DEAD_LETTER_ATTRIBUTES.sourceTopic] = message.topic;
  if (message.messageId) attributes[DEAD_LETTER_ATTRIBUTES.sourceMessageId] = message.messageId;
  // Pub/Sub refuses a message with neither data nor attributes; attributes are always set here.
  return { ...(message.data ? { data: message.data } : {}), attributes };
}

export async function sendDeadLetter(
  publisher: Publisher,
  topic: string,
  message: PublishedMessage,
  reason: string,
): Promise<string> {
  return publisher.publish(topic, deadLetterMessage(message, reason));
}
