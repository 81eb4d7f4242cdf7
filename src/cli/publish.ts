/**
 * `bq-autoloader publish-request`: sends a load request, or a file as inline data, to a topic
 * the loader's push subscription listens to. Works against production (Application Default
 * Credentials, roles/pubsub.publisher on the topic) and the emulator (PUBSUB_EMULATOR_HOST).
 * The request is checked with the same schema the function decodes it with.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TOPIC_NAME } from '../config/schema';
import { LoadRequestSchema } from '../events/load-request';
import { describeIssues } from '../events/reasons';
import { createGoogleEdge } from '../gcp/edge';
import { createPublisher, type OutgoingMessage } from '../gcp/pubsub/publisher';
import { readCliSettings } from '../settings';
import { printResult } from './output';
import { EXIT, type Exit, topicName, UsageError } from './usage';

/** Pub/Sub's limit on one message. https://cloud.google.com/pubsub/quotas#resource_limits */
export const MAX_MESSAGE_BYTES = 10 * 1000 * 1000;

export interface PublishFlags {
  topic: string;
  route?: string;
  prefix?: string;
  inline?: string;
  format?: string;
  gzip?: boolean;
  attribute?: string[];
  json?: boolean;
}

/** The message to publish, from the command line (pure; exported for tests). */
export function buildMessage(
  positionals: string[],
  values: PublishFlags,
  project?: string,
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
): { topic: string; message: OutgoingMessage } {
  const topic = topicName(values.topic, project);
  if (!TOPIC_NAME.test(topic)) {
    throw new UsageError(`--topic ${values.topic}: expected projects/PROJECT/topics/TOPIC`);
  }
  const message =
    values.inline !== undefined
      ? inlineMessage(values.inline, values, positionals, readFile)
      : requestMessage(values, positionals);
  return { topic, message };
}

/** A file as inline data, with the attributes the route reads. */
function inlineMessage(
  path: string,
  values: PublishFlags,
  positionals: string[],
  readFile: (path: string) => Buffer,
): OutgoingMessage {
  if (!values.route) throw new UsageError('--inline needs --route (the route that takes it)');
  if (positionals.length > 0 || values.prefix) {
    throw new UsageError('--inline sends one file: no object URIs or --prefix with it');
  }
  let bytes = readFile(path);
  const name = basename(path);
  const compressed = name.endsWith('.gz');
  if (values.gzip && !compressed) bytes = gzipSync(bytes);
  const attributes: Record<string, string> = { route: values.route };
  const format = values.format ?? formatOf(name.replace(/\.gz$/, ''));
  if (format) attributes.format = format;
  if (values.gzip || compressed) attributes.contentEncoding = 'gzip';
  for (const pair of values.attribute ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--attribute expects key=value, got "${pair}"`);
    attributes[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (bytes.length === 0) throw new UsageError(`${path} is empty`);
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new UsageError(
      `${path} is ${bytes.length} bytes; a Pub/Sub message holds at most 10 MB (upload the file to Cloud Storage and send a load request instead)`,
    );
  }
  return { data: bytes.toString('base64'), attributes };
}

/** A load request naming objects or a prefix, checked with the function's own schema. */
function requestMessage(values: PublishFlags, positionals: string[]): OutgoingMessage {
  const request = {
    kind: 'load',
    ...(values.prefix !== undefined ? { prefix: values.prefix } : { objects: positionals }),
    ...(values.route ? { route: values.route } : {}),
  };
  if (values.prefix !== undefined && positionals.length > 0) {
    throw new UsageError('give object URIs or --prefix, not both');
  }
  const parsed = LoadRequestSchema.safeParse(request);
  if (!parsed.success) throw new UsageError(`invalid request: ${describeIssues(parsed.error, '')}`);
  const data = Buffer.from(JSON.stringify(parsed.data), 'utf8');
  if (data.length > MAX_MESSAGE_BYTES) throw new UsageError('the request exceeds 10 MB');
  return { data: data.toString('base64') };
}

function formatOf(name: string): string | undefined {
  if (name.endsWith('.csv')) return 'csv';
  if (/\.(ndjson|jsonl|json)$/.test(name)) return 'ndjson';
  return undefined;
}

export async function publishRequest(
  uris: string[],
  values: PublishFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Exit> {
  const built = buildMessage(uris, values, readCliSettings(env).project);
  const publisher = createPublisher({ edge: createGoogleEdge({ env }) });
  const messageId = await publisher.publish(built.topic, built.message);
  printResult(
    values.json,
    { topic: built.topic, messageId },
    () => `published message ${messageId} to ${built.topic}`,
  );
  return { exitCode: EXIT.ok };
}
