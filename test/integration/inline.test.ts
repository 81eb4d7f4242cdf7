/**
 * Issue 4, inline data end to end: the Pub/Sub emulator pushes a message carrying the file's
 * bytes; the function uploads them to the local BigQuery server through the Upload URI
 * (multipart below the threshold, resumable above it), where rows are counted.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { createPushSubscription, publish } from '../support/pubsub-rest';

const emulatorHost = process.env.PUBSUB_EMULATOR_HOST as string;
const suffix = randomUUID().slice(0, 8);
const topic = `inline-${suffix}`;
const CHUNK = 256 * 1024;

const RULES = `
allow:
  topics: [projects/${TEST_PROJECT}/topics/inline-*]
inline: { resumableThresholdBytes: ${CHUNK}, chunkBytes: ${CHUNK} }
routes:
  - name: events
    match: gs://landing/events/*.ndjson
    destination: raw.events
    format: NEWLINE_DELIMITED_JSON
    schema: { fields: [{ name: id, type: INTEGER }, { name: note, type: STRING }] }
    accepts: [inline]
  - name: only-objects
    match: gs://landing/other/*.csv
    destination: raw.other
`;

let stack: LocalStack;
let fn: FunctionProcess;

beforeAll(async () => {
  stack = await startLocalStack();
  fn = await startFunction({
    ...stack.env,
    PUBSUB_EMULATOR_HOST: emulatorHost,
    AUTOLOADER_CONFIG: stack.writeRules(RULES),
    // Keeps the "redelivered" case quick: the first delivery gives up after 1.5 s.
    AUTOLOADER_RETRY_BUDGET_MS: '1500',
  });
  await createPushSubscription(emulatorHost, TEST_PROJECT, topic, `push-${suffix}`, fn.url);
});

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

beforeEach(() => stack.bigquery.clearFaults());

/** `rows` NDJSON lines tagged with `tag`; `pad` makes each line longer. */
function ndjson(tag: string, rows: number, pad = 0): Buffer {
  const note = `${tag}${'x'.repeat(pad)}`;
  return Buffer.from(
    Array.from({ length: rows }, (_, i) => `${JSON.stringify({ id: i, note })}\n`).join(''),
  );
}

async function rowsTagged(tag: string): Promise<number> {
  const [row] = await stack.bigquery.query(
    `SELECT count(*) AS n FROM raw.events WHERE starts_with(note, '${tag}')`,
  );
  return Number(row?.n);
}

function send(data: Buffer, attributes: Record<string, string>): Promise<string> {
  return publish(emulatorHost, TEST_PROJECT, topic, {
    data: data.toString('base64'),
    attributes,
  });
}

function outcomeOf(messageId: string, outcome?: string) {
  return fn.waitForLog(
    (l) => l.messageId === messageId && (outcome ? l.outcome === outcome : !!l.outcome),
    20_000,
  );
}

it('small NDJSON is loaded through one multipart upload', async () => {
  const tag = `m${suffix}`;
  const messageId = await send(ndjson(tag, 4), { route: 'events', format: 'ndjson' });

  const line = await outcomeOf(messageId);
  expect(line).toMatchObject({ outcome: 'submitted', route: 'events' });
  const posts = stack.bigquery.requests.filter(
    (r) => r.path.includes('uploadType=multipart') && r.body.includes(String(line.jobId)),
  );
  expect(posts).toHaveLength(1);
  await stack.bigquery.waitForJob(TEST_PROJECT, String(line.jobId));
  expect(await rowsTagged(tag)).toBe(4);
});

it('gzip NDJSON is loaded too', async () => {
  const tag = `g${suffix}`;
  const messageId = await send(gzipSync(ndjson(tag, 3)), {
    route: 'events',
    contentEncoding: 'gzip',
  });
  const line = await outcomeOf(messageId);
  expect(line.outcome).toBe('submitted');
  await stack.bigquery.waitForJob(TEST_PROJECT, String(line.jobId));
  expect(await rowsTagged(tag)).toBe(3);
});

it('a payload above the threshold is uploaded in resumable chunks and resumed after a failed chunk', async () => {
  const tag = `r${suffix}`;
  // ~700 KiB: three chunks of 256 KiB, the last one short.
  const data = ndjson(tag, 2800, 230);
  expect(data.length).toBeGreaterThan(2 * CHUNK);
  // The first chunk reaches the server but its answer is lost: the loader must ask where the
  // upload stands and continue from the server's Range, not send the chunk again.
  stack.bigquery.injectFault({
    method: 'PUT',
    path: /uploadType=resumable/,
    status: 503,
    reason: 'backendError',
    afterServing: true,
  });
  const messageId = await send(data, { route: 'events' });

  const line = await outcomeOf(messageId);
  expect(line).toMatchObject({ outcome: 'submitted', bytes: data.length });
  const puts = stack.bigquery.requests.filter(
    (r) => r.method === 'PUT' && r.path.includes('uploadType=resumable'),
  );
  const ranges = puts.map((r) => r.headers['content-range']);
  expect(ranges).toEqual([
    `bytes 0-${CHUNK - 1}/${data.length}`,
    `bytes */${data.length}`,
    `bytes ${CHUNK}-${2 * CHUNK - 1}/${data.length}`,
    `bytes ${2 * CHUNK}-${data.length - 1}/${data.length}`,
  ]);
  await stack.bigquery.waitForJob(TEST_PROJECT, String(line.jobId));
  expect(await rowsTagged(tag)).toBe(2800);
});

it('a message redelivered after its job was created loads no duplicate rows', async () => {
  const tag = `d${suffix}`;
  // First delivery: the upload creates the job, but its answer is lost and jobs.get keeps
  // failing until the retry budget is spent, so the function fails and Pub/Sub redelivers.
  stack.bigquery.injectFault({
    method: 'POST',
    path: /uploadType=multipart/,
    status: 503,
    reason: 'backendError',
    afterServing: true,
  });
  stack.bigquery.injectFault({ method: 'GET', path: /\/jobs\//, status: 503, times: 1000 });
  const messageId = await send(ndjson(tag, 5), { route: 'events' });

  const retry = await outcomeOf(messageId, 'retry');
  expect(retry.reason).toContain('503');
  stack.bigquery.clearFaults();
  const line = await outcomeOf(messageId, 'duplicate');
  await stack.bigquery.waitForJob(TEST_PROJECT, String(line.jobId));
  expect(await rowsTagged(tag)).toBe(5);
  const created = stack.bigquery.requests.filter(
    (r) => r.path.includes('uploadType=multipart') && r.body.includes(String(line.jobId)),
  );
  expect(created.length).toBeGreaterThanOrEqual(2);
});

it.each([
  ['a route that does not accept inline data', { route: 'only-objects' }, 'does not accept inline'],
  ['an unknown route', { route: 'nope' }, 'no route named "nope"'],
  ['a format the route fixes otherwise', { route: 'events', format: 'csv' }, 'differs from route'],
  [
    'an attribute the route does not let override',
    { route: 'events', 'bq-table': 'x' },
    'not in the overrides',
  ],
])('inline data for %s is refused with its reason', async (_name, attributes, reason) => {
  const messageId = await send(ndjson('refused', 1), attributes);
  const line = await outcomeOf(messageId);
  expect(line.outcome).toBe('refused');
  expect(String(line.reason)).toContain(reason);
});
