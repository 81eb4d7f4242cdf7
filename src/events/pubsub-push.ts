/**
 * Raw Pub/Sub push bodies that reach the function unconverted. The Functions Framework turns
 * a push body into a messagePublished CloudEvent only when `message.data` is present
 * (functions-framework-nodejs src/pubsub_middleware.ts, isRawPubSubRequestBody); a GCS
 * notification with payload `NONE` has attributes and no data, so it arrives as the raw
 * body `{message, subscription}`. It is the same message: decode it the same way.
 * https://cloud.google.com/pubsub/docs/push#receive_push
 */
import * as z from 'zod';
import type { CloudEvent } from './cloudevent';
import { PubsubMessageSchema } from './pubsub-message';

export const RawPushBodySchema = z.object({
  message: PubsubMessageSchema.extend({ messageId: z.string().min(1) }),
  subscription: z.string().min(1),
});

export type RawPushBody = z.infer<typeof RawPushBodySchema>;

/** The messagePublished CloudEvent a raw push body stands for, or undefined if it is not one. */
export function fromRawPushBody(body: unknown, type: string): CloudEvent | undefined {
  const parsed = RawPushBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { message, subscription } = parsed.data;
  return {
    specversion: '1.0',
    type,
    id: message.messageId,
    source: `//pubsub.googleapis.com/${subscription}`,
    ...(message.publishTime ? { time: message.publishTime } : {}),
    data: parsed.data,
  };
}
