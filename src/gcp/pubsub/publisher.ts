/**
 * A small Pub/Sub publisher over the REST API (`topics.publish`) on the Google edge. With
 * `PUBSUB_EMULATOR_HOST` no credentials are sent (../endpoints.ts). Used for dead letters,
 * outcome notifications and by the CLI.
 * https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/publish
 */
import { RetryableError } from '../../errors';
import { createGoogleEdge, type GoogleEdge } from '../edge';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';

/** Attribute values are limited to 1,024 bytes. https://cloud.google.com/pubsub/quotas#resource_limits */
export const MAX_ATTRIBUTE_BYTES = 1024;

export interface OutgoingMessage {
  /** Base64 of the bytes. */
  data?: string;
  attributes?: Record<string, string>;
}

export interface Publisher {
  /** `topic` = `projects/P/topics/T`; resolves with the message id. */
  publish(topic: string, message: OutgoingMessage): Promise<string>;
}

export interface PublisherOptions {
  /** Default: an edge of its own, from process.env and Application Default Credentials. */
  edge?: GoogleEdge;
  retry?: RetryOptions;
  fetchTimeoutMs?: number;
}

export function createPublisher(options: PublisherOptions = {}): Publisher {
  const edge = options.edge ?? createGoogleEdge();
  const retry = retryPolicy(options.retry);
  const timeoutMs = options.fetchTimeoutMs ?? 30_000;

  async function publish(topic: string, message: OutgoingMessage): Promise<string> {
    // Each segment encoded, as BigQuery URLs encode projects: `s3ns:p` → `s3ns%3Ap`.
    const path = topic.split('/').map(encodeURIComponent).join('/');
    const url = `${edge.endpoints.pubsub}/v1/${path}:publish`;
    const what = `Pub/Sub publish to ${topic}`;
    return withRetry(async ({ deadline }) => {
      const answer = await edge.call({
        service: 'pubsub',
        method: 'POST',
        url,
        json: { messages: [message] },
        what,
        timeoutMs,
        deadline,
      });
      const ids = (answer.json() as { messageIds?: unknown } | undefined)?.messageIds;
      if (!Array.isArray(ids) || typeof ids[0] !== 'string') {
        throw new RetryableError(`${what}: no message id in the answer`);
      }
      return ids[0];
    }, retry);
  }

  return { publish };
}

/** Cuts a string to at most `max` UTF-8 bytes (ending in "…") without splitting a character. */
export function truncateUtf8(text: string, max = MAX_ATTRIBUTE_BYTES): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  const chars = [...text];
  let bytes = Buffer.byteLength('…', 'utf8');
  let out = '';
  for (const ch of chars) {
    bytes += Buffer.byteLength(ch, 'utf8');
    if (bytes > max) break;
    out += ch;
  }
  return `${out}…`;
}
