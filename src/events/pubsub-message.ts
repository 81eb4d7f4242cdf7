/**
 * Pub/Sub `MessagePublishedData`, the data of `google.cloud.pubsub.topic.v1.messagePublished`
 * (also what the Functions Framework makes of a raw push body).
 * https://github.com/googleapis/google-cloudevents/blob/main/proto/google/events/cloud/pubsub/v1/data.proto
 */
import * as z from 'zod';

export const PubsubMessageSchema = z.object({
  /** Base64 of the message bytes; absent for attribute-only messages. */
  data: z.string().optional(),
  attributes: z.record(z.string(), z.string()).nullish(),
  messageId: z.string().optional(),
  publishTime: z.string().optional(),
  orderingKey: z.string().optional(),
});

export const MessagePublishedDataSchema = z.object({
  message: PubsubMessageSchema,
  subscription: z.string().optional(),
});

export type PubsubMessage = z.infer<typeof PubsubMessageSchema>;
export type MessagePublishedData = z.infer<typeof MessagePublishedDataSchema>;

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The message bytes (empty when `data` is absent), or undefined when `data` is not base64. */
export function messageBytes(message: PubsubMessage): Buffer | undefined {
  if (message.data === undefined) return Buffer.alloc(0);
  if (!BASE64.test(message.data)) return undefined;
  return Buffer.from(message.data, 'base64');
}
