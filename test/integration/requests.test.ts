/**
 * Issue 4, load requests end to end: the gcloud Pub/Sub emulator pushes a request to the
 * function under the real Functions Framework; objects are read from the local GCS server
 * and loaded by the local BigQuery server, where rows are counted.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { publishRequest } from '../../src/cli/publish';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { createPushSubscription, publish, pubsub } from '../support/pubsub-rest';

const emulatorHost = process.env.PUBSUB_EMULATOR_HOST as string;
const suffix = randomUUID().slice(0, 8);
const requestTopic = `requests-${suffix}`;
const deadTopic = `dead-${suffix}`;
const deadSubscription = `dead-pull-${suffix}`;

const RULES = `
allow:
  buckets: [landing]
  topics: [projects/${TEST_PROJECT}/topics/requests-*]
deadLetterTopic: projects/${TEST_PROJECT}/topics/${deadTopic}
deadLetterStore: gs://dead-store/autoloader/
routes:
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
    load: { skipLeadingRows: 1 }
    schema: { fields: [{ name: id, type: INTEGER }, { name: amount, type: INTEGER }] }
    accepts: [object, request]
  - name: archive
    match: gs://landing/archive/*.csv
    destination: raw.archive
    accepts: [object, request]
`;

let stack: LocalStack;
let fn: FunctionProcess;

beforeAll(async () => {
  stack = await startLocalStack();
  stack.gcs.store.createBucket('dead-store');
  fn = await startFunction({
    ...stack.env,
    PUBSUB_EMULATOR_HOST: emulatorHost,
    AUTOLOADER_CONFIG: stack.writeRules(RULES),
  });
  await createPushSubscription(emulatorHost, TEST_PROJECT, requestTopic, `push-${suffix}`, fn.url);
  await pubsub(emulatorHost, 'PUT', `projects/${TEST_PROJECT}/topics/${deadTopic}`);
  await pubsub(emulatorHost, 'PUT', `projects/${TEST_PROJECT}/subscriptions/${deadSubscription}`, {
    topic: `projects/${TEST_PROJECT}/topics/${deadTopic}`,
  });
});

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

function putSales(name: string, rows: number): void {
  const lines = ['id,amount', ...Array.from({ length: rows }, (_, i) => `${i},${i * 10}`)];
  stack.gcs.store.insert('landing', name, Buffer.from(`${lines.join('\n')}\n`), {
    contentType: 'text/csv',
  });
}

async function requestLoad(body: unknown): Promise<string> {
  const data = Buffer.from(JSON.stringify(body)).toString('base64');
  return publish(emulatorHost, TEST_PROJECT, requestTopic, { data });
}

async function salesRows(): Promise<number> {
  const [row] = await stack.bigquery.query('SELECT count(*) AS n FROM raw.sales');
  return Number(row?.n);
}

/** The summary line of one published request (per-object lines carry `requestPart`). */
function summaryOf(messageId: string) {
  return fn.waitForLog((l) => l.messageId === messageId && !l.requestPart && !!l.outcome, 20_000);
}

async function pullDeadLetters(): Promise<{ data?: string; attributes: Record<string, string> }[]> {
  const answer = (await pubsub(
    emulatorHost,
    'POST',
    `projects/${TEST_PROJECT}/subscriptions/${deadSubscription}:pull`,
    { maxMessages: 10 },
  )) as {
    receivedMessages?: {
      ackId: string;
      message: { data?: string; attributes: Record<string, string> };
    }[];
  };
  const received = answer.receivedMessages ?? [];
  if (received.length > 0) {
    await pubsub(
      emulatorHost,
      'POST',
      `projects/${TEST_PROJECT}/subscriptions/${deadSubscription}:acknowledge`,
      {
        ackIds: received.map((r) => r.ackId),
      },
    );
  }
  return received.map((r) => r.message);
}

describe('a load request published to an allowed topic', () => {
  const names = [1, 2, 3].map((n) => `sales/${suffix}-${n}.csv`);
  const uris = names.map((n) => `gs://landing/${n}`);

  it('naming 3 objects becomes 3 loads with their rows', async () => {
    for (const [i, name] of names.entries()) putSales(name, i + 1);
    const messageId = await requestLoad({ kind: 'load', objects: uris });

    const summary = await summaryOf(messageId);
    expect(summary).toMatchObject({
      outcome: 'submitted',
      objects: { submitted: 3, duplicate: 0, refused: 0 },
    });
    const lines = fn.logs.filter((l) => l.messageId === messageId && l.requestPart);
    expect(lines.map((l) => l.object).sort()).toEqual([...uris].sort());
    for (const line of lines) {
      await stack.bigquery.waitForJob(TEST_PROJECT, String(line.jobId));
    }
    expect(await salesRows()).toBe(1 + 2 + 3);
  });

  it('sent twice loads nothing new: every object is a duplicate of its first load', async () => {
    const before = await salesRows();
    const messageId = await requestLoad({ kind: 'load', objects: uris, route: 'sales' });

    const summary = await summaryOf(messageId);
    expect(summary).toMatchObject({
      outcome: 'duplicate',
      objects: { submitted: 0, duplicate: 3 },
    });
    expect(await salesRows()).toBe(before);
  });

  it('for a bucket outside allow.buckets is refused, dead-lettered with its reason, and loads nothing', async () => {
    const before = await salesRows();
    stack.gcs.store.insert('forbidden', 'sales/x.csv', Buffer.from('id,amount\n1,1\n'), {});
    const messageId = await requestLoad({ kind: 'load', objects: ['gs://forbidden/sales/x.csv'] });

    const summary = await summaryOf(messageId);
    expect(summary).toMatchObject({
      outcome: 'refused',
      deadLetterTopic: `projects/${TEST_PROJECT}/topics/${deadTopic}`,
    });
    expect(String(summary.reason)).toContain('allow.buckets');
    const dead = await pullDeadLetters();
    const letter = dead.find((m) => m.attributes.sourceMessageId === messageId);
    expect(letter?.attributes.reason).toContain('"forbidden" is not in allow.buckets');
    expect(letter?.attributes.sourceTopic).toBe(`projects/${TEST_PROJECT}/topics/${requestTopic}`);
    expect(JSON.parse(Buffer.from(letter?.data ?? '', 'base64').toString('utf8'))).toEqual({
      kind: 'load',
      objects: ['gs://forbidden/sales/x.csv'],
    });
    expect(await salesRows()).toBe(before);
  });

  it('naming a prefix loads every object under it through the first route that accepts requests', async () => {
    const prefix = `sales/p-${suffix}-`;
    putSales(`${prefix}a.csv`, 2);
    putSales(`${prefix}b.csv`, 5);
    // Not data: skipped silently, neither loaded nor refused.
    stack.gcs.store.insert('landing', `${prefix}empty.csv`, Buffer.alloc(0), {});
    const before = await salesRows();
    const messageId = await requestLoad({ kind: 'load', prefix: `gs://landing/${prefix}` });

    await summaryOf(messageId);
    const lines = fn.logs.filter((l) => l.messageId === messageId && l.requestPart);
    expect(lines.map((l) => l.outcome)).toEqual(['submitted', 'submitted']);
    for (const line of lines) await stack.bigquery.waitForJob(TEST_PROJECT, String(line.jobId));
    expect(await salesRows()).toBe(before + 7);
  });
});

describe('a load request that is refused as a whole', () => {
  it.each([
    ['malformed JSON fields', { kind: 'load', objects: 'gs://landing/x.csv' }, 'data.objects'],
    [
      'both objects and prefix',
      { kind: 'load', objects: ['gs://landing/a.csv'], prefix: 'gs://landing/' },
      'either objects or prefix',
    ],
    [
      'an unknown route',
      { kind: 'load', objects: ['gs://landing/sales/a.csv'], route: 'nope' },
      'no route named "nope"',
    ],
  ])('(%s) is acknowledged with its reason and dead-lettered', async (_name, body, reason) => {
    const messageId = await requestLoad(body);
    const summary = await summaryOf(messageId);
    expect(summary.outcome).toBe('refused');
    expect(String(summary.reason)).toContain(reason);
    expect(summary.deadLetterMessageId).toEqual(expect.any(String));
  });
});

describe('a message that cannot be processed (no poison loops)', () => {
  it('is dead-lettered once with the reason when no decoder claims it', async () => {
    const data = Buffer.from('{"kind":"Load"}').toString('base64');
    const messageId = await publish(emulatorHost, TEST_PROJECT, requestTopic, { data });
    const line = await fn.waitForLog((l) => l.messageId === messageId && !!l.outcome, 20_000);
    expect(line).toMatchObject({ outcome: 'refused', deadLetterMessageId: expect.any(String) });
    const letter = (await pullDeadLetters()).find(
      (m) => m.attributes.sourceMessageId === messageId,
    );
    expect(letter?.attributes.reason).toMatch(/^not a message this function takes/);
    expect(letter?.data).toBe(data);
  });

  it('over 100 attributes with ours: cut to fit, the original kept whole in deadLetterStore', async () => {
    const attributes = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`k${i}`, `v${i}`]));
    const data = Buffer.from('{"kind":"Load"}').toString('base64');
    const messageId = await publish(emulatorHost, TEST_PROJECT, requestTopic, { data, attributes });
    const line = await fn.waitForLog((l) => l.messageId === messageId && !!l.outcome, 20_000);
    const name = `autoloader/projects/${TEST_PROJECT}/topics/${requestTopic}/${messageId}.json`;
    expect(line).toMatchObject({ outcome: 'refused', originalUri: `gs://dead-store/${name}` });
    const letter = (await pullDeadLetters()).find(
      (m) => m.attributes.sourceMessageId === messageId,
    );
    expect(Object.keys(letter?.attributes ?? {})).toHaveLength(100);
    expect(letter?.attributes).toMatchObject({
      truncated: 'true',
      originalAttributes: '99',
      originalUri: `gs://dead-store/${name}`,
    });
    const original = JSON.parse(
      readFileSync(stack.gcs.store.objectPath('dead-store', name), 'utf8'),
    );
    expect(original).toMatchObject({ messageId, data, attributes });
  });
});

describe('bq-autoloader publish-request', () => {
  it('sends a load request the function loads', async () => {
    const name = `sales/cli-${suffix}.csv`;
    putSales(name, 4);
    const before = await salesRows();
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const result = await publishRequest(
        [`gs://landing/${name}`],
        { topic: `projects/${TEST_PROJECT}/topics/${requestTopic}`, json: true },
        { PUBSUB_EMULATOR_HOST: emulatorHost },
      );
      expect(result.exitCode).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const { messageId } = JSON.parse(written.join('')) as { messageId: string };
    const summary = await summaryOf(messageId);
    expect(summary.outcome).toBe('submitted');
    const [line] = fn.logs.filter((l) => l.messageId === messageId && l.requestPart);
    await stack.bigquery.waitForJob(TEST_PROJECT, String(line?.jobId));
    expect(await salesRows()).toBe(before + 4);
  });
});
