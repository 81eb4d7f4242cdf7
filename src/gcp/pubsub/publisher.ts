/**
 * A small Pub/Sub publisher over the REST API (`topics.publish`), with Application Default
 * Credentials, honouring `PUBSUB_EMULATOR_HOST` like Google's own clients (the emulator
 * wants no credentials, so none are sent to it). Used for dead letters and by the CLI.
 * https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/publish
 * https://cloud.google.com/pubsub/docs/emulator#accessing_environment_variables
 */
import type { GoogleAuth } from 'google-auth-library';
import { RetryableError } from '../../errors';
import { classifyBigQueryError } from '../bigquery/errors';
import { type RetryOptions, withRetry } from '../bigquery/retry';

export const PUBSUB_ENDPOINT = 'https://pubsub.googleapis.com';
export const PUBSUB_SCOPE = 'https://www.googleapis.com/auth/pubsub';

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
  /** Used unless the emulator is configured. */
  auth?: GoogleAuth;
  env?: NodeJS.ProcessEnv;
  retry?: RetryOptions;
  fetchTimeoutMs?: number;
}

export function pubsubBaseUrl(env: NodeJS.ProcessEnv = process.env): {
  url: string;
  emulator: boolean;
} {
  const host = env.PUBSUB_EMULATOR_HOST?.trim();
  if (!host) return { url: PUBSUB_ENDPOINT, emulator: false };
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `http://${host}`;
  return { url: url.replace(/\/+$/, ''), emulator: true };
}

export function createPublisher(options: PublisherOptions = {}): Publisher {
  const { url: base, emulator } = pubsubBaseUrl(options.env ?? process.env);
  const timeout = options.fetchTimeoutMs ?? 30_000;

  async function send(url: string, body: string): Promise<{ status: number; data: unknown }> {
    if (!emulator && options.auth) {
      try {
        const response = await options.auth.request<unknown>({
          method: 'POST',
          url,
          data: body,
          headers: { 'Content-Type': 'application/json' },
          responseType: 'json',
          timeout,
          retry: false,
        });
        return { status: response.status, data: response.data };
      } catch (error) {
        const response = (error as { response?: { status?: number; data?: unknown } }).response;
        if (typeof response?.status === 'number')
          return { status: response.status, data: response.data };
        throw classifyBigQueryError(undefined, undefined, error) ?? error;
      }
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeout),
      });
      const text = await response.text();
      return { status: response.status, data: text ? (JSON.parse(text) as unknown) : undefined };
    } catch (error) {
      throw classifyBigQueryError(undefined, undefined, error) ?? error;
    }
  }

  async function publish(topic: string, message: OutgoingMessage): Promise<string> {
    const url = `${base}/v1/${topic}:publish`;
    const body = JSON.stringify({ messages: [message] });
    return withRetry(async () => {
      const { status, data } = await send(url, body);
      if (status < 200 || status >= 300) {
        const error = classifyBigQueryError(status, data);
        if (error) error.message = `Pub/Sub publish to ${topic}: ${error.message}`;
        throw error ?? new RetryableError(`Pub/Sub publish to ${topic}: HTTP ${status}`);
      }
      const id = (data as { messageIds?: unknown } | undefined)?.messageIds;
      if (!Array.isArray(id) || typeof id[0] !== 'string') {
        throw new RetryableError(`Pub/Sub publish to ${topic}: no message id in the answer`);
      }
      return id[0];
    }, options.retry);
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
