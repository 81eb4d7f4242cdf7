/**
 * Big load requests end to end (docs/requests.md: Big requests): the Pub/Sub emulator pushes a request
 * for 1,200 objects; the function publishes it back to the same topic as 12 chunks of 100,
 * the emulator pushes each chunk, and every object is loaded exactly once (rows counted in
 * the local BigQuery). Sending the request again fans it out again: every object a duplicate.
 */
import { randomUUID } from 'node:crypto';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { createPushSubscription, publish } from '../support/pubsub-rest';

const emulatorHost = process.env.PUBSUB_EMULATOR_HOST as string;
const suffix = randomUUID().slice(0, 8);
const requestTopic = `requests-${suffix}`;
const table = `fanout_${suffix}`;
const OBJECTS = 1200;
const CHUNK = 100;

const RULES = `
allow:
  buckets: [landing]
  topics: [projects/${TEST_PROJECT}/topics/requests-*]
routes:
  - name: big
    match: gs://landing/big/*.csv
    destination: raw.${table}
    format: CSV
    load: { skipLeadingRows: 1 }
    schema: { fields: [{ name: id, type: INTEGER }] }
    accepts: [request]
`;

let stack: LocalStack;
let fn: FunctionProcess;
const names = Array.from({ length: OBJECTS }, (_, i) => `big/${String(i).padStart(5, '0')}.csv`);

beforeAll(async () => {
  stack = await startLocalStack();
  for (const [i, name] of names.entries()) {
    stack.gcs.store.insert('landing', name, Buffer.from(`id\n${i}\n`), { contentType: 'text/csv' });
  }
  fn = await startFunction({
    ...stack.env,
    PUBSUB_EMULATOR_HOST: emulatorHost,
    AUTOLOADER_CONFIG: stack.writeRules(RULES),
  });
  await createPushSubscription(emulatorHost, TEST_PROJECT, requestTopic, `push-${suffix}`, fn.url);
}, 120_000);

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

async function requestLoad(body: unknown): Promise<string> {
  const data = Buffer.from(JSON.stringify(body)).toString('base64');
  return publish(emulatorHost, TEST_PROJECT, requestTopic, { data });
}

/** The parent's one line, then the summary line of each of its chunks. */
async function fannedOut(messageId: string) {
  const parent = await fn.waitForLog((l) => l.messageId === messageId && !!l.outcome, 30_000);
  const count = Number(parent.chunks);
  const ofParent = (l: Record<string, unknown>) =>
    String(l.chunk ?? '').startsWith(`${messageId}/`);
  await fn.waitForLog(
    () => fn.logs.filter((l) => ofParent(l) && !l.requestPart && !!l.outcome).length >= count,
    120_000,
  );
  const summaries = fn.logs.filter((l) => ofParent(l) && !l.requestPart && !!l.outcome);
  const parts = fn.logs.filter((l) => ofParent(l) && l.requestPart);
  return { parent, summaries, parts };
}

async function rows(): Promise<{ n: number; ids: number }> {
  const [row] = await stack.bigquery.query(
    `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM raw.${table}`,
  );
  return { n: Number(row?.n), ids: Number(row?.ids) };
}

describe('a load request for 1,200 objects', () => {
  it('by prefix, is fanned out in chunks to its own topic and loads each object exactly once', async () => {
    const messageId = await requestLoad({ kind: 'load', prefix: 'gs://landing/big/' });
    const { parent, summaries, parts } = await fannedOut(messageId);

    expect(parent).toMatchObject({
      outcome: 'fanned-out',
      chunks: OBJECTS / CHUNK,
      chunkedObjects: OBJECTS,
      topic: `projects/${TEST_PROJECT}/topics/${requestTopic}`,
    });
    const ids = Array.from({ length: OBJECTS / CHUNK }, (_, i) => `${messageId}/${i + 1}of12`);
    expect(summaries.map((l) => l.chunk).sort()).toEqual([...ids].sort());
    for (const summary of summaries) {
      expect(summary).toMatchObject({ outcome: 'submitted', objects: { submitted: CHUNK } });
      // A chunk arrives on the requests topic as its own message, and is never split again.
      expect(summary.messageId).not.toBe(messageId);
    }
    expect(parts).toHaveLength(OBJECTS);
    expect(new Set(parts.map((l) => l.object)).size).toBe(OBJECTS);
    expect(new Set(parts.map((l) => l.jobId)).size).toBe(OBJECTS);
    for (const line of parts) await stack.bigquery.waitForJob(TEST_PROJECT, String(line.jobId));
    expect(await rows()).toEqual({ n: OBJECTS, ids: OBJECTS });
  });

  it('sent again by name, fans out again and loads nothing new: every object a duplicate', async () => {
    const uris = names.map((name) => `gs://landing/${name}`);
    const messageId = await requestLoad({ kind: 'load', objects: uris, route: 'big' });
    const { parent, summaries, parts } = await fannedOut(messageId);

    expect(parent).toMatchObject({ outcome: 'fanned-out', chunks: OBJECTS / CHUNK });
    expect(summaries.every((l) => l.outcome === 'duplicate')).toBe(true);
    expect(parts).toHaveLength(OBJECTS);
    expect(parts.every((l) => l.outcome === 'duplicate')).toBe(true);
    expect(await rows()).toEqual({ n: OBJECTS, ids: OBJECTS });
  });
});
