/**
 * Issue 2 end to end: events reach the real Functions Framework server, the function gets a
 * token from the local metadata server and inserts jobs into the local BigQuery server.
 */
import { randomUUID } from 'node:crypto';
import {
  binaryStorageEvent,
  legacyStorageEvent,
  notificationMessage,
  post,
  rawPushBody,
  structuredStorageEvent,
  type TestObject,
} from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT, TEST_TOKEN } from '../support/local-stack';

const RULES = `
location: EU
allow:
  buckets: [landing-*]
  destinations: [${TEST_PROJECT}.raw]
routes:
  - name: sales
    match: gs://landing-test/sales/{region}/*.csv
    destination: raw.sales_{region}
    load: { skipLeadingRows: 1 }
    schema: autodetect
  - name: anything-else
    match: gs://landing-test/elsewhere/**
    destination: secret.stuff
`;

let stack: LocalStack;
let fn: FunctionProcess;

beforeAll(async () => {
  stack = await startLocalStack();
  fn = await startFunction({
    ...stack.env,
    AUTOLOADER_CONFIG: stack.writeRules(RULES),
    // A short in-process retry budget keeps the "budget exhausted" case quick.
    AUTOLOADER_RETRY_BUDGET_MS: '1500',
  });
});

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

beforeEach(() => stack.bigquery.clearFaults());

function salesObject(overrides: Partial<TestObject> = {}): TestObject {
  return {
    bucket: 'landing-test',
    name: `sales/eu/${randomUUID()}.csv`,
    generation: '1764324000000001',
    ...overrides,
  };
}

/**
 * A sales object that really exists in the local GCS server, so its load job succeeds (a
 * job for a missing object ends DONE with notFound, which the loader reports as refused).
 */
function storedSalesObject(): TestObject {
  const object = salesObject();
  const stored = stack.gcs.store.insert(
    object.bucket,
    object.name,
    Buffer.from('id,amount\n1,2\n'),
    {
      contentType: 'text/csv',
    },
  );
  return { ...object, generation: stored.generation, size: Number(stored.size) };
}

/** The jobs.insert requests BigQuery received for one object, by its job id's object part. */
function insertsFor(jobId: string) {
  return stack.bigquery.requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.path.startsWith(`/bigquery/v2/projects/${TEST_PROJECT}/jobs`) &&
      r.body.toString('utf8').includes(jobId),
  );
}

async function outcomeFor(object: string): Promise<Record<string, unknown>> {
  return fn.waitForLog((l) => l.object === object && typeof l.outcome === 'string');
}

describe('a Cloud Storage finalize event', () => {
  it('in binary mode becomes one jobs.insert with a bearer token, the route and the object', async () => {
    const object = storedSalesObject();
    const response = await post(fn.url, binaryStorageEvent(object));
    expect(response.status).toBe(204);

    const line = await outcomeFor(`gs://${object.bucket}/${object.name}`);
    expect(line).toMatchObject({ outcome: 'submitted', route: 'sales', severity: 'INFO' });
    const jobId = String(line.jobId);
    const [insert, ...more] = insertsFor(jobId);
    expect(more).toHaveLength(0);
    expect(insert?.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
    const body = JSON.parse(insert?.body.toString('utf8') ?? '{}');
    expect(body.jobReference).toEqual({ projectId: TEST_PROJECT, jobId, location: 'EU' });
    expect(body.configuration.load).toMatchObject({
      destinationTable: { projectId: TEST_PROJECT, datasetId: 'raw', tableId: 'sales_eu' },
      sourceUris: [`gs://${object.bucket}/${object.name}`],
      sourceFormat: 'CSV',
      skipLeadingRows: 1,
      autodetect: true,
    });
    expect(body.configuration.labels).toMatchObject({ 'bq-autoloader-route': 'sales' });
  });

  it('in structured mode maps to the same job id as in binary mode', async () => {
    const object = storedSalesObject();
    await post(fn.url, binaryStorageEvent(object));
    const first = await fn.waitForLog(
      (l) => l.object === `gs://${object.bucket}/${object.name}` && l.outcome === 'submitted',
    );
    const response = await post(fn.url, structuredStorageEvent(object));
    expect(response.status).toBe(204);
    const second = await fn.waitForLog(
      (l) => l.object === `gs://${object.bucket}/${object.name}` && l.outcome === 'duplicate',
    );
    expect(second.jobId).toBe(first.jobId);
  });

  it('in the legacy background format is converted and loaded', async () => {
    const object = storedSalesObject();
    const response = await post(fn.url, legacyStorageEvent(object));
    expect(response.status).toBe(204);
    expect(await outcomeFor(`gs://${object.bucket}/${object.name}`)).toMatchObject({
      outcome: 'submitted',
    });
  });

  it('for a new generation of the same object is a new load', async () => {
    const object = storedSalesObject();
    await post(fn.url, binaryStorageEvent(object));
    const overwrite = stack.gcs.store.insert(
      object.bucket,
      object.name,
      Buffer.from('id,amount\n3,4\n'),
      {},
    );
    await post(fn.url, binaryStorageEvent({ ...object, generation: overwrite.generation }));
    const uri = `gs://${object.bucket}/${object.name}`;
    await fn.waitForLog((l) => l.object === uri && l.outcome === 'submitted');
    const submitted = () => fn.logs.filter((l) => l.object === uri && l.outcome === 'submitted');
    await fn.waitForLog(() => submitted().length === 2);
    const [a, b] = submitted();
    expect(a?.jobId).not.toBe(b?.jobId);
  });

  it.each([
    ['a zero-byte object', { size: 0 }, /zero|empty/i],
    ['a folder placeholder', { name: 'sales/eu/folder/' }, /folder/i],
    ['a name BigQuery cannot address', { name: 'sales/eu/a*b.csv' }, /\*/],
    ['a bucket outside the allowlist', { bucket: 'other-bucket' }, /allow/i],
    ['a destination outside the allowlist', { name: 'elsewhere/x.csv' }, /allow/i],
  ])('refuses %s with a reason and inserts nothing', async (_case, overrides, reason) => {
    const object = salesObject(overrides);
    const before = stack.bigquery.requests.length;
    const response = await post(fn.url, binaryStorageEvent(object));
    expect(response.status).toBe(204);
    const line = await outcomeFor(`gs://${object.bucket}/${object.name}`);
    expect(line.outcome).toBe('refused');
    expect(String(line.reason)).toMatch(reason);
    expect(stack.bigquery.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(
      0,
    );
  });

  it('that no route matches is acknowledged as ignored', async () => {
    const object = salesObject({ name: `unrouted/${randomUUID()}.csv` });
    expect((await post(fn.url, binaryStorageEvent(object))).status).toBe(204);
    expect(await outcomeFor(`gs://${object.bucket}/${object.name}`)).toMatchObject({
      outcome: 'ignored',
    });
  });
});

describe('redelivery', () => {
  it('of the same event 10 times, one after another, inserts one job and acknowledges all', async () => {
    const object = storedSalesObject();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await post(fn.url, binaryStorageEvent(object))).status);
    expect(statuses).toEqual(Array(10).fill(204));
    await expectOneJobAcceptedFor(object, 10);
  });

  it('of the same event 10 times at once inserts one job and acknowledges all', async () => {
    const object = storedSalesObject();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => post(fn.url, binaryStorageEvent(object))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(204));
    await expectOneJobAcceptedFor(object, 10);
  });

  async function expectOneJobAcceptedFor(object: TestObject, deliveries: number) {
    const uri = `gs://${object.bucket}/${object.name}`;
    const done = () => fn.logs.filter((l) => l.object === uri && l.outcome);
    await fn.waitForLog(() => done().length >= deliveries);
    // Let any extra (wrong) outcome line arrive before counting them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(done()).toHaveLength(deliveries);
    // Exactly one outcome line per delivery.
    expect(new Set(done().map((l) => l.eventId)).size).toBe(deliveries);
    const outcomes = done().map((l) => l.outcome);
    expect(outcomes.filter((o) => o === 'submitted')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(deliveries - 1);
    expect(new Set(done().map((l) => l.jobId)).size).toBe(1);
    const jobId = String(done()[0]?.jobId);
    const jobs = stack.bigquery.requests.filter(
      (r) => r.method === 'GET' && r.path.includes(`/jobs/${jobId}`),
    );
    // Every duplicate was confirmed with jobs.get.
    expect(jobs.length).toBeGreaterThanOrEqual(deliveries - 1);
  }
});

describe('BigQuery failures', () => {
  it.each([
    ['503', { status: 503, reason: 'backendError' }],
    ['429', { status: 429, reason: 'rateLimitExceeded' }],
    ['a connection reset', { reset: true }],
  ])('%s then success is retried in-process into exactly one job', async (_case, fault) => {
    const object = storedSalesObject();
    stack.bigquery.injectFault({ method: 'POST', path: /\/jobs$/, ...fault });
    const response = await post(fn.url, binaryStorageEvent(object));
    expect(response.status).toBe(204);
    const line = await outcomeFor(`gs://${object.bucket}/${object.name}`);
    expect(line.outcome).toBe('submitted');
    expect(insertsFor(String(line.jobId))).toHaveLength(2);
  });

  it('400 invalid is acknowledged once, with the reason, and never retried', async () => {
    const object = storedSalesObject();
    stack.bigquery.injectFault({
      method: 'POST',
      path: /\/jobs$/,
      status: 400,
      reason: 'invalid',
      message: 'Invalid table name',
    });
    const response = await post(fn.url, binaryStorageEvent(object));
    expect(response.status).toBe(204);
    const line = await outcomeFor(`gs://${object.bucket}/${object.name}`);
    expect(line).toMatchObject({ outcome: 'refused', severity: 'ERROR' });
    expect(String(line.reason)).toMatch(/Invalid table name/);
    expect(insertsFor(String(line.jobId))).toHaveLength(1);
  });

  it('that persist beyond the retry budget answer 500 so the trigger redelivers', async () => {
    const object = storedSalesObject();
    stack.bigquery.injectFault({ method: 'POST', path: /\/jobs$/, status: 503, times: 1000 });
    const response = await post(fn.url, binaryStorageEvent(object));
    expect(response.status).toBe(500);
    const line = await outcomeFor(`gs://${object.bucket}/${object.name}`);
    expect(line.outcome).toBe('retry');
    stack.bigquery.clearFaults();
    // The redelivery then succeeds.
    expect((await post(fn.url, binaryStorageEvent(object))).status).toBe(204);
    await fn.waitForLog(
      (l) => l.object === `gs://${object.bucket}/${object.name}` && l.outcome === 'submitted',
    );
  });
});

describe('a Cloud Storage notification pushed by Pub/Sub', () => {
  const subscription = `projects/${TEST_PROJECT}/subscriptions/gcs-notifications`;
  const pushPath = `/projects/${TEST_PROJECT}/topics/gcs-notifications`;

  it('with payload JSON_API_V1 maps to the same job id as the Eventarc event', async () => {
    const object = storedSalesObject();
    await post(fn.url, binaryStorageEvent(object));
    const uri = `gs://${object.bucket}/${object.name}`;
    const first = await fn.waitForLog((l) => l.object === uri && l.outcome === 'submitted');
    const response = await post(
      fn.url,
      rawPushBody(notificationMessage(object, 'JSON_API_V1'), subscription),
      pushPath,
    );
    expect(response.status).toBe(204);
    const second = await fn.waitForLog((l) => l.object === uri && l.outcome === 'duplicate');
    expect(second.jobId).toBe(first.jobId);
  });

  it('with payload NONE reads the object generation from Cloud Storage', async () => {
    const name = `sales/us/${randomUUID()}.csv`;
    const stored = stack.gcs.store.insert('landing-test', name, Buffer.from('id,amount\n1,2\n'), {
      contentType: 'text/csv',
    });
    const object = salesObject({ name, generation: stored.generation });

    const response = await post(
      fn.url,
      rawPushBody(notificationMessage(object, 'NONE'), subscription),
      pushPath,
    );
    expect(response.status).toBe(204);
    const line = await outcomeFor(`gs://landing-test/${name}`);
    expect(line).toMatchObject({ outcome: 'submitted', route: 'sales' });
    const body = JSON.parse(insertsFor(String(line.jobId))[0]?.body.toString('utf8') ?? '{}');
    expect(body.configuration.load.destinationTable.tableId).toBe('sales_us');
  });

  it('for another event type is acknowledged and ignored', async () => {
    const object = storedSalesObject();
    const message = notificationMessage(object, 'JSON_API_V1');
    message.attributes.eventType = 'OBJECT_DELETE';
    const response = await post(fn.url, rawPushBody(message, subscription), pushPath);
    expect(response.status).toBe(204);
    expect(await outcomeFor(`gs://${object.bucket}/${object.name}`)).toMatchObject({
      outcome: 'ignored',
    });
  });
});

describe('an event that is not one of ours', () => {
  it.each([
    [
      'plain JSON',
      { headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' },
      (l: Record<string, unknown>) => /not a CloudEvent/.test(String(l.reason)),
    ],
    [
      'an unknown CloudEvent type',
      {
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-type': 'com.example.unknown',
          'ce-source': '//example.com',
          'ce-id': 'unknown-1',
        },
        body: '{}',
      },
      (l: Record<string, unknown>) =>
        l.eventId === 'unknown-1' &&
        /unsupported event type com\.example\.unknown/.test(String(l.reason)),
    ],
  ])('(%s) is acknowledged with a logged reason', async (_case, request, isItsLine) => {
    const before = fn.logs.length;
    const response = await post(fn.url, request);
    expect(response.status).toBe(204);
    const line = await fn.waitForLog((l) => fn.logs.indexOf(l) >= before && isItsLine(l));
    expect(line).toMatchObject({ outcome: 'refused', severity: 'WARNING' });
  });
});
