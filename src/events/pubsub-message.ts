/**
 * Pub/Sub `MessagePublishedData`, the data of `google.cloud.pubsub.topic.v1.messagePublished`
 * (also what the Functions Framework makes of a raw push body).
 * https://github.com/googleapis/google-cloudevents/blob/main/proto/google/events/cloud/pubsub/v1/data.proto
 */
import * as z from 'zod';
import { jsonNestsDeeper, MAX_JSON_DEPTH } from '../core/json-depth';
import { decodeUtf8 } from '../core/utf8';

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

/** Base64, standard or URL-safe alphabet, padded or not: never a length of 4n+1. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * The message bytes (empty when `data` is absent), or undefined when `data` is not base64.
 * Node's decoder skips what it cannot read, so the text must also be exactly what the bytes
 * encode back to (ignoring alphabet and padding): stray characters, a dangling character or
 * stray bits after the last byte are not base64.
 */
export function messageBytes(message: PubsubMessage): Buffer | undefined {
  const data = message.data;
  if (data === undefined) return Buffer.alloc(0);
  if (!BASE64.test(data) || data.length % 4 === 1) return undefined;
  const bytes = Buffer.from(data, 'base64');
  const canonical = (text: string) => text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  return canonical(bytes.toString('base64')) === canonical(data) ? bytes : undefined;
}

/** The message data as text: a reason when it is not base64 of UTF-8. */
export function messageText(message: PubsubMessage): { text: string } | { problem: string } {
  const bytes = messageBytes(message);
  if (!bytes) return { problem: 'message data is not base64' };
  const text = decodeUtf8(bytes);
  return text === undefined ? { problem: 'message data is not UTF-8' } : { text };
}

/** The message data as one JSON value: a reason when it is not base64 of UTF-8 JSON. */
export function messageJson(message: PubsubMessage): { json: unknown } | { problem: string } {
  const bytes = messageBytes(message);
  if (bytes && jsonNestsDeeper(bytes, MAX_JSON_DEPTH)) {
    return { problem: `message data nests deeper than ${MAX_JSON_DEPTH} levels` };
  }
  const decoded = messageText(message);
  if ('problem' in decoded) return decoded;
  try {
    return { json: JSON.parse(decoded.text) };
  } catch {
    return { problem: 'message data is not JSON' };
  }
}
