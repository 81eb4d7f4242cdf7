/**
 * Load requests other systems publish (docs/requests.md):
 *   {"kind": "load", "objects": ["gs://b/o", ...]}   or   {"kind": "load", "prefix": "gs://b/p/"}
 * with an optional "route". `"kind": "retry"` takes the same fields and retries the objects
 * whose last load failed (docs/outcomes.md: Retrying a failed load). Pure: the message data is parsed once, here; everything past this
 * file sees a typed `LoadRequest`. Malformed or oversized requests are refused with a reason
 * (and keep the original message so the handler can dead-letter it).
 */
import * as z from 'zod';
import { OBJECT_URI, PREFIX_URI, parseGsPrefix, parseGsUri } from '../core/gs-uri';
import { objectNameProblem } from '../core/object-name';
import type { DecodedEvent, PublishedMessage } from '../types';
import type { CloudEvent } from './cloudevent';
import { messageBytes, messageJson, type PubsubMessage } from './pubsub-message';
import { describeIssues } from './reasons';
import { CHUNK_ID } from './request-chunks';

/** BigQuery's limit of source URIs per job, and ours per request. */
export const MAX_REQUEST_OBJECTS = 10_000;

/** Object names are at most 1,024 bytes; the bucket at most 222 characters. */
const ObjectUriSchema = z
  .string()
  .max(1300)
  .regex(OBJECT_URI, 'expected gs://BUCKET/OBJECT')
  .superRefine((uri, ctx) => {
    const problem = objectNameProblem(parseGsUri(uri)?.name ?? '');
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const PrefixUriSchema = z.string().max(1300).regex(PREFIX_URI, 'expected gs://BUCKET/PREFIX');

export const LoadRequestSchema = z
  .strictObject({
    kind: z.enum(['load', 'retry']),
    objects: z
      .array(ObjectUriSchema)
      .min(1)
      .max(MAX_REQUEST_OBJECTS, `at most ${MAX_REQUEST_OBJECTS} objects per request`)
      .optional(),
    prefix: PrefixUriSchema.optional(),
    route: z.string().min(1).max(63).optional(),
    chunk: z.string().max(160).regex(CHUNK_ID, 'expected PARENT/NofM').optional(),
  })
  .refine((r) => (r.objects === undefined) !== (r.prefix === undefined), {
    message: 'give either objects or prefix',
  })
  .refine((r) => r.kind === 'load' || r.route === undefined, {
    message: 'a retry request retries each object on the route that loaded it: give no route',
    path: ['route'],
  })
  .refine((r) => r.chunk === undefined || r.objects !== undefined, {
    message: 'a chunk names its objects (no prefix)',
    path: ['chunk'],
  });

export type LoadRequestMessage = z.infer<typeof LoadRequestSchema>;

/** The CloudEvent source of a messagePublished event is `//pubsub.googleapis.com/projects/P/topics/T`. */
export function topicOf(source: string): string | undefined {
  return /(?:^|\/)(projects\/[^/]+\/topics\/[^/]+)$/.exec(source)?.[1];
}

/** The message as published, for the dead-letter topic. */
export function publishedMessageOf(message: PubsubMessage, event: CloudEvent): PublishedMessage {
  return {
    topic: topicOf(event.source),
    messageId: message.messageId ?? event.id,
    publishTime: message.publishTime,
    data: message.data,
    attributes: message.attributes ?? {},
  };
}

/** A load request is JSON whose `kind` is `load` or `retry`. */
export function isLoadRequest(message: PubsubMessage): boolean {
  const kind = jsonKind(message);
  return kind === 'load' || kind === 'retry';
}

export function decodeLoadRequest(message: PubsubMessage, event: CloudEvent): DecodedEvent {
  const published = publishedMessageOf(message, event);
  const refuse = (reason: string): DecodedEvent => ({
    kind: 'refused',
    reason: `load request: ${reason}`,
    message: published,
  });
  const data = messageJson(message);
  if ('problem' in data) return refuse(data.problem);
  const parsed = LoadRequestSchema.safeParse(data.json);
  if (!parsed.success) return refuse(describeIssues(parsed.error, 'data'));
  const { kind, objects, prefix, route, chunk } = parsed.data;
  const retry = kind === 'retry' ? { retry: true as const } : {};
  if (prefix !== undefined) {
    const listed = parseGsPrefix(prefix);
    if (!listed) return refuse(`data.prefix: expected gs://BUCKET/PREFIX`);
    return {
      kind: 'request',
      request: { prefix: listed, ...(route ? { route } : {}), ...retry },
      message: published,
    };
  }
  const unique = [...new Set(objects ?? [])].flatMap((uri) => parseGsUri(uri) ?? []);
  return {
    kind: 'request',
    request: {
      objects: unique,
      ...(route ? { route } : {}),
      ...(chunk ? { chunk } : {}),
      ...retry,
    },
    message: published,
  };
}

function jsonKind(message: PubsubMessage): unknown {
  const bytes = messageBytes(message);
  // Cheap check first: only a JSON object can be a request.
  if (!bytes || bytes.length === 0 || bytes[0] !== 0x7b) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && 'kind' in value ? value.kind : undefined;
  } catch {
    return undefined;
  }
}
