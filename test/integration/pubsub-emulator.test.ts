/**
 * End to end through the gcloud Pub/Sub emulator: a GCS notification is published, the
 * emulator pushes it to the function's real HTTP server, the job arrives at BigQuery.
 */
import { randomUUID } from 'node:crypto';
import { notificationMessage } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { createPushSubscription, publish } from '../support/pubsub-rest';

let stack: LocalStack;
let fn: FunctionProcess;
const emulatorHost = process.env.PUBSUB_EMULATOR_HOST as string;

beforeAll(async () => {
  stack = await startLocalStack();
  const rules = `routes:\n  - name: events\n    match: gs://landing/events/*.ndjson\n    destination: raw.events\n    schema: autodetect\n`;
  fn = await startFunction({ ...stack.env, AUTOLOADER_CONFIG: stack.writeRules(rules) });
});

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

it('a published notification is pushed to the function and becomes one load job', async () => {
  expect(emulatorHost).toMatch(/^127\.0\.0\.1:\d+$/);
  const suffix = randomUUID().slice(0, 8);
  await createPushSubscription(
    emulatorHost,
    TEST_PROJECT,
    `gcs-${suffix}`,
    `push-${suffix}`,
    fn.url,
  );
  const name = `events/${suffix}.ndjson`;
  const stored = stack.gcs.store.insert('landing', name, Buffer.from('{"a":1}\n'), {});
  const object = { bucket: 'landing', name, generation: stored.generation };
  const message = notificationMessage(object, 'JSON_API_V1');
  await publish(emulatorHost, TEST_PROJECT, `gcs-${suffix}`, message);

  const line = await fn.waitForLog(
    (l) => l.object === `gs://landing/${object.name}` && l.outcome === 'submitted',
    20_000,
  );
  const inserts = stack.bigquery.requests.filter(
    (r) => r.method === 'POST' && r.body.toString('utf8').includes(String(line.jobId)),
  );
  expect(inserts).toHaveLength(1);
  expect(line.eventType).toBe('google.cloud.pubsub.topic.v1.messagePublished');
});
