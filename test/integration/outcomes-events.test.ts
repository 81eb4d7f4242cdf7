/**
 * Issue 6, job-completion events: a route without `wait` is finished by the BigQuery
 * audit-log CloudEvent, to the same state as the in-process wait, however the event is
 * delivered (twice, or before the insert's own log line).
 */
import { randomUUID } from 'node:crypto';
import { objectJobId } from '../../src/core/job-id';
import { binaryStorageEvent, completionEvent, deliver } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { pubsub } from '../support/pubsub-rest';

const emulatorHost = process.env.PUBSUB_EMULATOR_HOST as string;
const suffix = randomUUID().slice(0, 8);
const topic = `outcomes-ev-${suffix}`;
const subscription = `outcomes-ev-pull-${suffix}`;
const SCHEMA = '{ fields: [{ name: id, type: INTEGER }, { name: amount, type: INTEGER }] }';

const RULES = `
routes:
  - name: orders
    match: gs://landing-ev/orders/*.csv
    destination: raw.orders
    load: { skipLeadingRows: 1 }
    schema: ${SCHEMA}
    onSuccess: { action: move, to: gs://archive-ev/done/ }
    onFailure: { action: move, to: gs://landing-ev/quarantine/ }
    notifyTopic: projects/${TEST_PROJECT}/topics/${topic}
`;

let stack: LocalStack;
let fn: FunctionProcess;

beforeAll(async () => {
  stack = await startLocalStack();
  stack.gcs.store.insert('archive-ev', 'README', Buffer.from('archive'), {});
  await pubsub(emulatorHost, 'PUT', `projects/${TEST_PROJECT}/topics/${topic}`);
  await pubsub(emulatorHost, 'PUT', `projects/${TEST_PROJECT}/subscriptions/${subscription}`, {
    topic: `projects/${TEST_PROJECT}/topics/${topic}`,
  });
  fn = await startFunction({
    ...stack.env,
    PUBSUB_EMULATOR_HOST: emulatorHost,
    AUTOLOADER_CONFIG: stack.writeRules(RULES),
  });
});

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

async function pullCount(): Promise<{ state: string; jobId: string; error?: string }[]> {
  const path = `projects/${TEST_PROJECT}/subscriptions/${subscription}`;
  const out: { state: string; jobId: string; error?: string }[] = [];
  // Two empty pulls in a row: nothing more is on its way.
  for (let empty = 0; empty < 2; ) {
    const answer = (await pubsub(emulatorHost, 'POST', `${path}:pull`, {
      maxMessages: 10,
      returnImmediately: true,
    })) as { receivedMessages?: { ackId: string; message: { data: string } }[] };
    const received = answer.receivedMessages ?? [];
    if (!received.length) {
      empty += 1;
      await new Promise((r) => setTimeout(r, 300));
      continue;
    }
    for (const m of received)
      out.push(JSON.parse(Buffer.from(m.message.data, 'base64').toString()));
    await pubsub(emulatorHost, 'POST', `${path}:acknowledge`, {
      ackIds: received.map((m) => m.ackId),
    });
  }
  return out;
}

function put(name: string, text: string) {
  const stored = stack.gcs.store.insert('landing-ev', name, Buffer.from(text), {
    contentType: 'text/csv',
  });
  const finalize = binaryStorageEvent({
    bucket: 'landing-ev',
    name,
    generation: stored.generation,
    size: Number(stored.size),
  });
  const jobId = objectJobId({
    bucket: 'landing-ev',
    name,
    generation: stored.generation,
    route: 'orders',
  });
  return {
    stored,
    jobId,
    uri: `gs://landing-ev/${name}`,
    finalize: { id: finalize.headers['ce-id'], ...finalize },
  };
}

async function rows(amount: number): Promise<number> {
  const [row] = await stack.bigquery.query(
    `SELECT count(*) AS n FROM raw.orders WHERE amount = ${amount}`,
  );
  return Number(row?.n);
}

it('a completion event delivered twice after the insert: loaded, archived, one notification', async () => {
  const name = `orders/twice-${suffix}.csv`;
  const { jobId, uri, finalize } = put(name, 'id,amount\n1,11\n2,11\n');
  const submitted = await deliver(fn, finalize);
  expect(submitted).toMatchObject({ jobId, outcome: 'submitted' });
  await stack.bigquery.waitForJob(TEST_PROJECT, jobId);

  const first = await deliver(fn, completionEvent(jobId, uri, { table: 'orders' }));
  const second = await deliver(fn, completionEvent(jobId, uri, { table: 'orders' }));
  expect(first).toMatchObject({ outcome: 'finished', state: 'loaded', rows: '2', jobId });
  expect(second).toMatchObject({ outcome: 'finished', state: 'loaded' });

  expect(await rows(11)).toBe(2);
  expect(() => stack.gcs.store.get('landing-ev', name)).toThrow();
  expect(stack.gcs.store.get('archive-ev', `done/${name}`).metadata).toMatchObject({
    'bq-autoloader-job': jobId,
    'bq-autoloader-state': 'loaded',
    'bq-autoloader-rows': '2',
  });
  expect(await pullCount()).toEqual([expect.objectContaining({ jobId, state: 'loaded' })]);
});

it('a malformed file finished by its completion event: failed, quarantined, notified, no rows', async () => {
  const name = `orders/bad-${suffix}.csv`;
  const { jobId, uri, finalize } = put(name, 'id,amount\n1,22\n2,twenty-two\n');
  await deliver(fn, finalize);
  await stack.bigquery.waitForJob(TEST_PROJECT, jobId);
  const line = await deliver(fn, completionEvent(jobId, uri, { table: 'orders' }));

  expect(line).toMatchObject({
    severity: 'ERROR',
    outcome: 'finished',
    state: 'failed',
    action: 'moved',
  });
  expect(String(line.error)).toMatch(/^invalid: /);
  expect(await rows(22)).toBe(0);
  expect(stack.gcs.store.get('landing-ev', `quarantine/${name}`).metadata).toMatchObject({
    'bq-autoloader-state': 'failed',
  });
  const notes = await pullCount();
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatchObject({
    jobId,
    state: 'failed',
    error: expect.stringMatching(/^invalid: /),
  });
});

it('a completion event before the insert’s own log line leads to the same final state', async () => {
  const name = `orders/early-${suffix}.csv`;
  const { jobId, uri, finalize } = put(name, 'id,amount\n1,33\n');
  // The job exists (as if the function's insert reached BigQuery) but the function has not
  // logged or marked anything yet when the completion arrives.
  const job = {
    jobReference: { projectId: TEST_PROJECT, jobId, location: 'US' },
    configuration: {
      labels: { 'bq-autoloader-route': 'orders' },
      load: {
        sourceUris: [uri],
        destinationTable: { projectId: TEST_PROJECT, datasetId: 'raw', tableId: 'orders' },
        sourceFormat: 'CSV',
        skipLeadingRows: 1,
        schema: {
          fields: [
            { name: 'id', type: 'INTEGER' },
            { name: 'amount', type: 'INTEGER' },
          ],
        },
      },
    },
  };
  const inserted = await fetch(
    `http://${stack.bigquery.host}/bigquery/v2/projects/${TEST_PROJECT}/jobs`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(job),
    },
  );
  expect(inserted.status).toBe(200);
  await stack.bigquery.waitForJob(TEST_PROJECT, jobId);

  const early = await deliver(fn, completionEvent(jobId, uri, { table: 'orders' }));
  expect(early).toMatchObject({
    outcome: 'finished',
    state: 'loaded',
    finished: 'written',
    action: 'moved',
  });
  const late = await deliver(fn, finalize);
  expect(late).toMatchObject({ outcome: 'duplicate', jobId });

  expect(await rows(33)).toBe(1);
  expect(() => stack.gcs.store.get('landing-ev', name)).toThrow();
  expect(stack.gcs.store.get('archive-ev', `done/${name}`).metadata).toMatchObject({
    'bq-autoloader-state': 'loaded',
    'bq-autoloader-rows': '1',
  });
  expect(await pullCount()).toHaveLength(1);
});

it('a sweep reconciles a claimed object whose completion was never seen', async () => {
  const name = `orders/unseen-${suffix}.csv`;
  const { jobId, finalize } = put(name, 'id,amount\n1,44\n2,44\n3,44\n');
  expect(await deliver(fn, finalize)).toMatchObject({ jobId, outcome: 'submitted' });
  await stack.bigquery.waitForJob(TEST_PROJECT, jobId);
  // Claimed before the insert; the event path writes nothing after it (two requests per event).
  expect(stack.gcs.store.get('landing-ev', name).metadata?.['bq-autoloader-state']).toBe('claimed');

  const id = randomUUID();
  const command = {
    id,
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-source': `//pubsub.googleapis.com/projects/${TEST_PROJECT}/topics/autoloader-sweeps`,
      'ce-id': id,
    },
    body: JSON.stringify({
      message: {
        data: Buffer.from(JSON.stringify({ kind: 'sweep', minAgeSeconds: 0 })).toString('base64'),
        messageId: randomUUID(),
      },
    }),
  };
  const summary = await deliver(fn, command);
  expect(summary.reconciled).toMatchObject({ checked: 1, loaded: 1, failed: 0, running: 0 });

  expect(await rows(44)).toBe(3);
  expect(stack.gcs.store.get('archive-ev', `done/${name}`).metadata).toMatchObject({
    'bq-autoloader-job': jobId,
    'bq-autoloader-state': 'loaded',
    'bq-autoloader-rows': '3',
  });
  expect(await pullCount()).toEqual([expect.objectContaining({ jobId, state: 'loaded' })]);
});

it('an overwrite while the job runs: the completion leaves the newer generation unmarked and unmoved', async () => {
  const name = `orders/overwritten-${suffix}.csv`;
  const { stored, jobId, uri, finalize } = put(name, 'id,amount\n1,55\n');
  expect(await deliver(fn, finalize)).toMatchObject({ jobId, outcome: 'submitted' });
  const newer = stack.gcs.store.insert('landing-ev', name, Buffer.from('id,amount\n1,56\n'), {
    contentType: 'text/csv',
  });
  expect(newer.generation).not.toBe(stored.generation);
  await stack.bigquery.waitForJob(TEST_PROJECT, jobId);

  const line = await deliver(fn, completionEvent(jobId, uri, { table: 'orders' }));
  expect(line).toMatchObject({ outcome: 'finished', finished: 'gone', action: 'skipped' });
  const live = stack.gcs.store.get('landing-ev', name);
  expect(live.generation).toBe(newer.generation);
  expect(live.metadata?.['bq-autoloader-state']).toBeUndefined();
  expect(() => stack.gcs.store.get('archive-ev', `done/${name}`)).toThrow();
  expect(await pullCount()).toEqual([]);
});

it('a decoy job inserted first under the object’s computable id is never taken for its load', async () => {
  const name = `orders/decoy-${suffix}.csv`;
  const { jobId, uri, finalize } = put(name, 'id,amount\n1,77\n2,77\n');
  // Someone who may insert jobs computes the id and inserts a job of their own under it:
  // the same object, loaded into another table.
  const decoy = {
    jobReference: { projectId: TEST_PROJECT, jobId, location: 'US' },
    configuration: {
      labels: { 'bq-autoloader-route': 'orders' },
      load: {
        sourceUris: [uri],
        destinationTable: { projectId: TEST_PROJECT, datasetId: 'raw', tableId: 'decoy' },
        sourceFormat: 'CSV',
        skipLeadingRows: 1,
        autodetect: true,
      },
    },
  };
  const inserted = await fetch(
    `http://${stack.bigquery.host}/bigquery/v2/projects/${TEST_PROJECT}/jobs`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(decoy),
    },
  );
  expect(inserted.status).toBe(200);
  await stack.bigquery.waitForJob(TEST_PROJECT, jobId);

  // The real event: 409, and the existing job is not this load — refused, never "duplicate".
  expect(await deliver(fn, finalize)).toMatchObject({
    outcome: 'refused',
    severity: 'ERROR',
    reason: expect.stringContaining('is not this load'),
  });
  // A completion event for that job, naming the object: nothing is marked, moved or deleted.
  expect(await deliver(fn, completionEvent(jobId, uri, { table: 'orders' }))).toMatchObject({
    outcome: 'finished',
    finished: 'foreign',
    action: 'skipped',
  });
  const object = stack.gcs.store.get('landing-ev', name);
  expect(object.metadata?.['bq-autoloader-state']).toBe('claimed');
  expect(() => stack.gcs.store.get('archive-ev', `done/${name}`)).toThrow();
  expect(await rows(77)).toBe(0);
});
