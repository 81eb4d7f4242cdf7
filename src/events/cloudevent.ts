/**
 * The CloudEvents 1.0 envelope, checked by the function itself: the Functions Framework
 * passes plain JSON without `ce-` headers through unchanged.
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md#required-attributes
 */
import * as z from 'zod';

export const CloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  type: z.string().min(1),
  id: z.string().min(1),
  source: z.string().min(1),
  subject: z.string().optional(),
  time: z.string().optional(),
  data: z.unknown(),
});

export type CloudEvent = z.infer<typeof CloudEventSchema>;
