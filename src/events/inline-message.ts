/**
 * Inline data (docs/requests.md): the message data is the file's bytes; attributes
 * `route` (required), `format` (csv | ndjson | json | jsonl or a BigQuery sourceFormat) and
 * `contentEncoding` (`gzip`). Any other `bq-*` attribute is an override candidate, applied
 * only when the route lists it. Pure.
 * https://cloud.google.com/pubsub/docs/publisher#using-attributes
 */
import * as z from 'zod';
import type { DecodedEvent } from '../types';
import type { CloudEvent } from './cloudevent';
import { publishedMessageOf } from './load-request';
import { messageBytes, type PubsubMessage } from './pubsub-message';
import { describeIssues } from './reasons';

const FORMAT_ALIASES: Record<string, string> = {
  csv: 'CSV',
  json: 'NEWLINE_DELIMITED_JSON',
  jsonl: 'NEWLINE_DELIMITED_JSON',
  ndjson: 'NEWLINE_DELIMITED_JSON',
  newline_delimited_json: 'NEWLINE_DELIMITED_JSON',
  avro: 'AVRO',
  parquet: 'PARQUET',
  orc: 'ORC',
};

export const InlineAttributesSchema = z.looseObject({
  route: z.string().min(1).max(63),
  format: z
    .string()
    .transform((f) => FORMAT_ALIASES[f.toLowerCase()])
    .pipe(z.string({ error: `expected one of ${Object.keys(FORMAT_ALIASES).join(', ')}` }))
    .optional(),
  contentEncoding: z.enum(['gzip', 'identity']).optional(),
});

/** Inline data names its route in the attributes. */
export function isInlineMessage(message: PubsubMessage): boolean {
  return message.attributes?.route !== undefined;
}

/**
 * `load` or `sweep` when the data is a load request or sweep command: with a `route`
 * attribute it is ambiguous, and loading the command as rows would be silently wrong.
 */
function commandKind(bytes: Buffer): string | undefined {
  if (bytes[0] !== 0x7b) return undefined; // `{`: only a JSON object can be a command
  try {
    const kind = (JSON.parse(bytes.toString('utf8')) as { kind?: unknown } | null)?.kind;
    return kind === 'load' || kind === 'sweep' ? kind : undefined;
  } catch {
    return undefined; // not one JSON value (CSV, NDJSON rows…): data, as intended
  }
}

export function decodeInlineMessage(message: PubsubMessage, event: CloudEvent): DecodedEvent {
  const published = publishedMessageOf(message, event);
  const refuse = (reason: string): DecodedEvent => ({
    kind: 'refused',
    reason: `inline data: ${reason}`,
    message: published,
  });
  const parsed = InlineAttributesSchema.safeParse(message.attributes ?? {});
  if (!parsed.success) return refuse(describeIssues(parsed.error, 'attributes'));
  const bytes = messageBytes(message);
  if (!bytes) return refuse('message data is not base64');
  if (bytes.length === 0) return refuse('the message carries no data');
  const command = commandKind(bytes);
  if (command) {
    return refuse(
      `the data is a ${command} message but a route attribute marks it as inline data; publish it without the route attribute (a load request names its route in the JSON)`,
    );
  }
  const gzip = parsed.data.contentEncoding === 'gzip';
  // RFC 1952: every gzip member starts with 1f 8b.
  if (gzip && !(bytes[0] === 0x1f && bytes[1] === 0x8b)) {
    return refuse('contentEncoding is gzip but the data is not gzip');
  }
  const { route, format, contentEncoding: _, ...rest } = parsed.data;
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (typeof value === 'string') attributes[key] = value;
  }
  return {
    kind: 'inline',
    inline: { route, ...(format ? { format } : {}), gzip, bytes, attributes },
    message: published,
  };
}
