/**
 * Builders for the wire shapes the function receives, as the platforms send them:
 * Eventarc binary and structured CloudEvents, legacy GCS background events, Pub/Sub pushes.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestObject {
  bucket: string;
  name: string;
  generation: string;
  size?: number;
  contentType?: string;
  metadata?: Record<string, string>;
}

/** StorageObjectData as Eventarc sends it: int64s as JSON strings. */
export function storageObjectData(o: TestObject): Record<string, unknown> {
  return {
    kind: 'storage#object',
    id: `${o.bucket}/${o.name}/${o.generation}`,
    bucket: o.bucket,
    name: o.name,
    generation: o.generation,
    metageneration: '1',
    size: String(o.size ?? 42),
    contentType: o.contentType ?? 'text/csv',
    storageClass: 'STANDARD',
    timeCreated: '2026-11-28T10:00:00.000Z',
    updated: '2026-11-28T10:00:00.000Z',
    ...(o.metadata ? { metadata: o.metadata } : {}),
  };
}

export function binaryStorageEvent(o: TestObject, id = randomUUID()) {
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${o.bucket}`,
      'ce-subject': `objects/${o.name}`,
      'ce-id': id,
      'ce-time': '2026-11-28T10:00:00.000Z',
    },
    body: JSON.stringify(storageObjectData(o)),
  };
}

export function structuredStorageEvent(o: TestObject, id = randomUUID()) {
  return {
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({
      specversion: '1.0',
      type: 'google.cloud.storage.object.v1.finalized',
      source: `//storage.googleapis.com/projects/_/buckets/${o.bucket}`,
      subject: `objects/${o.name}`,
      id,
      time: '2026-11-28T10:00:00.000Z',
      datacontenttype: 'application/json',
      data: storageObjectData(o),
    }),
  };
}

/** The legacy (background function) GCS event shape the Functions Framework converts. */
export function legacyStorageEvent(o: TestObject, id = randomUUID()) {
  return {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      context: {
        eventId: id,
        timestamp: '2026-11-28T10:00:00.000Z',
        eventType: 'google.storage.object.finalize',
        resource: {
          service: 'storage.googleapis.com',
          name: `projects/_/buckets/${o.bucket}/objects/${o.name}`,
          type: 'storage#object',
        },
      },
      data: storageObjectData(o),
    }),
  };
}

/** A GCS notification's Pub/Sub message (attributes per the notification docs). */
export function notificationMessage(o: TestObject, payloadFormat: 'JSON_API_V1' | 'NONE') {
  return {
    attributes: {
      notificationConfig: `projects/_/buckets/${o.bucket}/notificationConfigs/1`,
      eventType: 'OBJECT_FINALIZE',
      payloadFormat,
      bucketId: o.bucket,
      objectId: o.name,
      objectGeneration: o.generation,
      eventTime: '2026-11-28T10:00:00.000Z',
    },
    ...(payloadFormat === 'JSON_API_V1'
      ? { data: Buffer.from(JSON.stringify(storageObjectData(o))).toString('base64') }
      : {}),
  };
}

/** A raw push body, exactly as a push subscription POSTs it. */
export function rawPushBody(message: Record<string, unknown>, subscription: string) {
  return {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      message: { ...message, messageId: randomUUID(), publishTime: '2026-11-28T10:00:00.000Z' },
      subscription,
    }),
  };
}

export async function post(
  url: string,
  request: { headers: Record<string, string>; body: string },
  path = '/',
): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: request.headers, body: request.body });
}

export interface CompletionEventOptions {
  project?: string;
  route?: string;
  /** The job's destination table id (the fixture's is `sales`). */
  table?: string;
  location?: string;
}

/**
 * The BigQuery audit-log CloudEvent of a DONE load job (`jobChange`, BigQueryAuditMetadata),
 * as Eventarc delivers it in structured mode, from fixtures/events/audit-log/job-change-done.json.
 */
export function completionEvent(jobId: string, uri: string, options: CompletionEventOptions = {}) {
  const project = options.project ?? 'test-project';
  const text = readFileSync(
    join(__dirname, '../fixtures/events/audit-log/job-change-done.json'),
    'utf8',
  )
    .replaceAll('JOB_ID', jobId)
    .replaceAll('test-project', project)
    .replaceAll('"ROUTE"', `"${options.route ?? 'orders'}"`)
    .replace('gs://landing/sales/a.csv', uri)
    .replace('tables/sales', `tables/${options.table ?? 'sales'}`)
    .replace('"location": "US"', `"location": "${options.location ?? 'US'}"`);
  const event = JSON.parse(text) as Record<string, unknown>;
  event.id = randomUUID();
  return {
    id: event.id as string,
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event),
  };
}

/** What `deliver` needs of a running function (test/support/function-process.ts). */
interface Receiver {
  url: string;
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

/** POSTs one event, expects 204, and resolves with the function's outcome line for it. */
export async function deliver(
  fn: Receiver,
  request: { id: string; headers: Record<string, string>; body: string },
): Promise<Record<string, unknown>> {
  expect((await post(fn.url, request)).status).toBe(204);
  return fn.waitForLog((l) => l.eventId === request.id && !!l.outcome, 20_000);
}

/** A sweep command (docs/sweeps.md) as the scheduler's Pub/Sub push delivers it. */
export function sweepEvent(
  command: Record<string, unknown> = { kind: 'sweep', minAgeSeconds: 0 },
  project = 'test-project',
) {
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-source': `//pubsub.googleapis.com/projects/${project}/topics/autoloader-sweeps`,
      'ce-id': randomUUID(),
    },
    body: JSON.stringify({
      message: {
        data: Buffer.from(JSON.stringify(command)).toString('base64'),
        messageId: randomUUID(),
      },
      subscription: `projects/${project}/subscriptions/sweeps`,
    }),
  };
}

/** One sweep tick through the function; resolves with its `sweep done` summary line. */
export async function sweepOnce(
  fn: Receiver & { logs: Record<string, unknown>[] },
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const done = (l: Record<string, unknown>) => l.message === 'sweep done';
  const before = fn.logs.filter(done).length;
  expect((await post(fn.url, sweepEvent())).status).toBe(204);
  await fn.waitForLog(() => fn.logs.filter(done).length > before, timeoutMs);
  return fn.logs.filter(done)[before] as Record<string, unknown>;
}
