/**
 * The deployed function behind an egress proxy (HTTPS_PROXY), with no emulator variable: it
 * calls Google's public hosts over TLS, through the proxy's CONNECT tunnels. The universe
 * gateway plays the proxy and Google's hosts (dev/universe-gateway.ts), forwarding to the
 * local servers; the function trusts its test CA through NODE_EXTRA_CA_CERTS only.
 */
import { randomUUID } from 'node:crypto';
import { startUniverseGateway, type UniverseGateway } from '../../dev/universe-gateway';
import { binaryStorageEvent, post } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import {
  type LocalStack,
  startLocalStack,
  TEST_PROJECT,
  TEST_TOKEN,
  withoutEmulators,
} from '../support/local-stack';
import { createPushSubscription, publish } from '../support/pubsub-rest';

const emulatorHost = process.env.PUBSUB_EMULATOR_HOST as string;
const suffix = randomUUID().slice(0, 8);
const topic = `egress-${suffix}`;
const CHUNK = 256 * 1024;

const RULES = `
location: EU
allow:
  buckets: [landing-test]
  destinations: [${TEST_PROJECT}.raw]
  topics: [projects/${TEST_PROJECT}/topics/${topic}]
inline: { resumableThresholdBytes: ${CHUNK}, chunkBytes: ${CHUNK} }
routes:
  - name: events
    match: gs://landing/events/*.ndjson
    destination: raw.events
    format: NEWLINE_DELIMITED_JSON
    schema: { fields: [{ name: id, type: INTEGER }, { name: note, type: STRING }] }
    accepts: [inline]
  - name: sales
    match: gs://landing-test/sales/{region}/*.csv
    destination: raw.sales_{region}
    load: { skipLeadingRows: 1 }
    schema: autodetect
`;

let stack: LocalStack;
let gateway: UniverseGateway;
let fn: FunctionProcess;

beforeAll(async () => {
  stack = await startLocalStack();
  gateway = await startUniverseGateway({
    hosts: {
      'bigquery.googleapis.com': stack.bigquery.url,
      'storage.googleapis.com': stack.gcs.url,
    },
  });
  fn = await startFunction({
    ...withoutEmulators(stack.env),
    ...gateway.env,
    // Plain http: Pub/Sub stays direct, as every emulator does behind a proxy.
    PUBSUB_EMULATOR_HOST: emulatorHost,
    AUTOLOADER_CONFIG: stack.writeRules(RULES),
  });
  await createPushSubscription(emulatorHost, TEST_PROJECT, topic, `push-${suffix}`, fn.url);
});

beforeEach(() => {
  gateway.requests.length = 0;
  gateway.tunnels.length = 0;
});

afterAll(async () => {
  await fn?.stop();
  await gateway?.close();
  await stack?.close();
});

it('claims the object and inserts its job on Google hosts through the proxy, over verified TLS', async () => {
  const name = `sales/eu/${randomUUID()}.csv`;
  const stored = stack.gcs.store.insert('landing-test', name, Buffer.from('id,amount\n1,2\n'), {
    contentType: 'text/csv',
  });
  const object = { bucket: 'landing-test', name, generation: stored.generation, size: 14 };

  expect((await post(fn.url, binaryStorageEvent(object))).status).toBe(204);
  const line = await fn.waitForLog((l) => l.object === `gs://landing-test/${name}` && !!l.outcome);

  expect(line).toMatchObject({ outcome: 'submitted', route: 'sales' });
  const objectPath = `/storage/v1/b/landing-test/o/${encodeURIComponent(name)}`;
  expect(gateway.requests.map(({ host, method, path }) => `${method} ${host}${path}`)).toEqual([
    `PATCH storage.googleapis.com${objectPath}`,
    `POST bigquery.googleapis.com/bigquery/v2/projects/${TEST_PROJECT}/jobs`,
  ]);
  expect(gateway.tunnels).toEqual([
    { authority: 'storage.googleapis.com:443', accepted: true },
    { authority: 'bigquery.googleapis.com:443', accepted: true },
  ]);
  const insert = stack.bigquery.requests.find((r) => r.method === 'POST');
  expect(insert?.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
  // google-auth-library reached the metadata server directly: NO_PROXY names loopback.
  expect(stack.metadata.requests.some((r) => r.path.includes('/default/token'))).toBe(true);
});

it('uploads inline data in resumable chunks to the session URI BigQuery gave, through the proxy', async () => {
  const rows = Array.from(
    { length: 2000 },
    (_, id) => `${JSON.stringify({ id, note: 'x'.repeat(200) })}\n`,
  );
  const data = Buffer.from(rows.join(''));
  expect(data.length).toBeGreaterThan(CHUNK);
  const messageId = await publish(emulatorHost, TEST_PROJECT, topic, {
    data: data.toString('base64'),
    attributes: { route: 'events' },
  });

  const line = await fn.waitForLog((l) => l.messageId === messageId && !!l.outcome, 20_000);

  expect(line).toMatchObject({ outcome: 'submitted', bytes: data.length });
  const upload = `/upload/bigquery/v2/projects/${TEST_PROJECT}/jobs`;
  expect(gateway.requests.map(({ host, method, path }) => `${method} ${host}${path}`)).toEqual([
    `POST bigquery.googleapis.com${upload}`,
    `PUT bigquery.googleapis.com${upload}`,
    `PUT bigquery.googleapis.com${upload}`,
  ]);
  expect(gateway.requests[1]?.search).toMatch(/[?&]upload_id=/);
  // Every chunk went through the proxy: the local server saw no request from elsewhere.
  const puts = stack.bigquery.requests.filter((r) => r.method === 'PUT');
  expect(puts.map((r) => r.headers['x-forwarded-host'])).toEqual([
    'bigquery.googleapis.com',
    'bigquery.googleapis.com',
  ]);
});
