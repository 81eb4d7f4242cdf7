/**
 * Issue 6 end to end: a route that waits for its load job in-process ends every object in
 * a known state (markers), tidies the source (archive / quarantine) and notifies over the
 * Pub/Sub emulator.
 */
import { randomUUID } from 'node:crypto';
import { binaryStorageEvent, post } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { pubsub } from '../support/pubsub-rest';
import { runCli } from '../support/run-cli';

const emulatorHost = process.env.PUBSUB_EMULATOR_HOST as string;
const suffix = randomUUID().slice(0, 8);
const topic = `outcomes-${suffix}`;
const subscription = `outcomes-pull-${suffix}`;

const RULES = `
routes:
  - name: sales
    match: gs://landing-out/sales/*.csv
    destination: raw.sales
    load: { skipLeadingRows: 1 }
    schema: { fields: [{ name: id, type: INTEGER }, { name: amount, type: INTEGER }] }
    wait: { timeoutSeconds: 20 }
    onSuccess: { action: move, to: gs://archive-out/done/ }
    onFailure: { action: move, to: gs://landing-out/quarantine/ }
    notifyTopic: projects/${TEST_PROJECT}/topics/${topic}
`;

let stack: LocalStack;
let fn: FunctionProcess;
let rulesPath: string;

beforeAll(async () => {
  stack = await startLocalStack();
  // The archive bucket must exist for the copy.
  stack.gcs.store.insert('archive-out', 'README', Buffer.from('archive'), {});
  await pubsub(emulatorHost, 'PUT', `projects/${TEST_PROJECT}/topics/${topic}`);
  await pubsub(emulatorHost, 'PUT', `projects/${TEST_PROJECT}/subscriptions/${subscription}`, {
    topic: `projects/${TEST_PROJECT}/topics/${topic}`,
  });
  rulesPath = stack.writeRules(RULES);
  fn = await startFunction({
    ...stack.env,
    PUBSUB_EMULATOR_HOST: emulatorHost,
    AUTOLOADER_CONFIG: rulesPath,
  });
});

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

interface Notification {
  route: string;
  objects: string[];
  destination: string;
  jobId: string;
  state: string;
  rows?: string;
  error?: string;
  errors: { reason?: string }[];
}

/** Pulls and acknowledges what the topic received so far (waits for at least `min`). */
async function pullNotifications(min: number): Promise<Notification[]> {
  const path = `projects/${TEST_PROJECT}/subscriptions/${subscription}`;
  const out: Notification[] = [];
  const deadline = Date.now() + 10_000;
  while (out.length < min && Date.now() < deadline) {
    const answer = (await pubsub(emulatorHost, 'POST', `${path}:pull`, {
      maxMessages: 10,
      returnImmediately: true,
    })) as { receivedMessages?: { ackId: string; message: { data: string } }[] };
    const received = answer.receivedMessages ?? [];
    for (const m of received) {
      out.push(JSON.parse(Buffer.from(m.message.data, 'base64').toString()) as Notification);
    }
    if (received.length) {
      await pubsub(emulatorHost, 'POST', `${path}:acknowledge`, {
        ackIds: received.map((m) => m.ackId),
      });
    } else {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return out;
}

function put(name: string, text: string) {
  const stored = stack.gcs.store.insert('landing-out', name, Buffer.from(text), {
    contentType: 'text/csv',
  });
  const event = binaryStorageEvent({
    bucket: 'landing-out',
    name,
    generation: stored.generation,
    size: Number(stored.size),
  });
  return { stored, event };
}

function lineFor(eventId: string) {
  return fn.waitForLog((l) => l.eventId === eventId && !!l.outcome, 20_000);
}

async function rowsTagged(tag: number): Promise<number> {
  const [row] = await stack.bigquery.query(
    `SELECT count(*) AS n FROM raw.sales WHERE amount = ${tag}`,
  );
  return Number(row?.n);
}

it('a good file ends loaded with its row count, archived, and notified once', async () => {
  const name = `sales/good-${suffix}.csv`;
  const { stored, event } = put(name, 'id,amount\n1,101\n2,101\n3,101\n');
  expect((await post(fn.url, event)).status).toBe(204);
  const line = await lineFor(event.headers['ce-id']);
  expect(line).toMatchObject({
    severity: 'INFO',
    outcome: 'finished',
    state: 'loaded',
    rows: '3',
    action: 'moved',
  });

  expect(await rowsTagged(101)).toBe(3);
  expect(() => stack.gcs.store.get('landing-out', name)).toThrow();
  const archived = stack.gcs.store.get('archive-out', `done/${name}`);
  expect(archived.metadata).toMatchObject({
    'bq-autoloader-state': 'loaded',
    'bq-autoloader-rows': '3',
    'bq-autoloader-job': line.jobId,
  });
  const [note, ...more] = await pullNotifications(1);
  expect(more).toEqual([]);
  expect(note).toMatchObject({
    route: 'sales',
    objects: [`gs://landing-out/${name}#${stored.generation}`],
    destination: `${TEST_PROJECT}.raw.sales`,
    jobId: line.jobId,
    state: 'loaded',
    rows: '3',
  });
});

it('a malformed file ends failed with the reason, quarantined, notified, with no rows', async () => {
  const name = `sales/bad-${suffix}.csv`;
  const { event } = put(name, 'id,amount\n1,202\n2,not-a-number\n');
  expect((await post(fn.url, event)).status).toBe(204);
  const line = await lineFor(event.headers['ce-id']);
  // Outcome and state agree, and the severity follows them.
  expect(line).toMatchObject({
    severity: 'ERROR',
    outcome: 'finished',
    state: 'failed',
    action: 'moved',
  });
  expect(String(line.error)).toMatch(/^invalid: /);
  expect(Array.isArray(line.errors)).toBe(true);

  expect(await rowsTagged(202)).toBe(0);
  expect(() => stack.gcs.store.get('landing-out', name)).toThrow();
  const quarantined = stack.gcs.store.get('landing-out', `quarantine/${name}`);
  expect(quarantined.metadata?.['bq-autoloader-state']).toBe('failed');
  expect(quarantined.metadata?.['bq-autoloader-error']).toMatch(/^invalid: /);
  const notes = await pullNotifications(1);
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatchObject({ state: 'failed', jobId: line.jobId });
  expect(notes[0]?.error).toMatch(/^invalid: /);
});

it('the same event delivered twice ends in the same state with one notification', async () => {
  const name = `sales/twice-${suffix}.csv`;
  const { event } = put(name, 'id,amount\n1,303\n');
  expect((await post(fn.url, event)).status).toBe(204);
  const first = await lineFor(event.headers['ce-id']);
  const again = { ...event, headers: { ...event.headers, 'ce-id': randomUUID() } };
  expect((await post(fn.url, again)).status).toBe(204);
  const second = await lineFor(again.headers['ce-id']);

  expect(first).toMatchObject({ outcome: 'finished', state: 'loaded', finished: 'written' });
  expect(second).toMatchObject({ outcome: 'duplicate', state: 'loaded', finished: 'gone' });
  expect(await rowsTagged(303)).toBe(1);
  expect(stack.gcs.store.get('archive-out', `done/${name}`).metadata).toMatchObject({
    'bq-autoloader-state': 'loaded',
  });
  expect(await pullNotifications(1)).toHaveLength(1);
  // A late second notification would show up here.
  expect(await pullNotifications(0)).toEqual([]);
});

it('an event for a generation overwritten before its load is refused: the newer bytes are not loaded under its id, and the newer generation is neither marked nor moved', async () => {
  const name = `sales/overwritten-${suffix}.csv`;
  const { stored, event } = put(name, 'id,amount\n1,404\n');
  const newer = stack.gcs.store.insert('landing-out', name, Buffer.from('id,amount\n9,405\n'), {
    contentType: 'text/csv',
  });
  expect(newer.generation).not.toBe(stored.generation);
  expect((await post(fn.url, event)).status).toBe(204);
  const line = await lineFor(event.headers['ce-id']);

  expect(line).toMatchObject({
    outcome: 'refused',
    reason: expect.stringContaining(`generation ${stored.generation} is no longer the live one`),
  });
  const inserts = stack.bigquery.requests.filter(
    (r) => r.method === 'POST' && r.body.toString('utf8').includes(String(line.jobId)),
  );
  expect(inserts).toEqual([]);
  const live = stack.gcs.store.get('landing-out', name);
  expect(live.generation).toBe(newer.generation);
  expect(live.metadata?.['bq-autoloader-state']).toBeUndefined();
  expect(() => stack.gcs.store.get('archive-out', `done/${name}`)).toThrow();
});

/** Runs the built CLI against the stack; resolves with its exit code and parsed stdout. */
async function cli(args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  const { code, stdout } = await runCli([...args, '--json'], {
    METADATA_SERVER_DETECTION: 'assume-present',
    ...stack.env,
  });
  return { code, out: JSON.parse(stdout) };
}

describe('bq-autoloader status', () => {
  it('shows an archived object as loaded with its job and rows, a moved one as not found', async () => {
    const name = `sales/status-${suffix}.csv`;
    const { event } = put(name, 'id,amount\n1,606\n2,606\n');
    await post(fn.url, event);
    const line = await lineFor(event.headers['ce-id']);

    const archived = await cli(['status', `gs://archive-out/done/${name}`]);
    expect(archived).toEqual({
      code: 0,
      out: expect.objectContaining({ state: 'loaded', jobId: line.jobId, rows: '2' }),
    });
    const moved = await cli(['status', `gs://landing-out/${name}`]);
    expect(moved).toMatchObject({ code: 1, out: { state: 'not found' } });
  });

  it('summarizes the route since a time, archive and quarantine included', async () => {
    const { code, out } = await cli([
      'status',
      '--route',
      'sales',
      '--since',
      '1h',
      '--config',
      rulesPath,
    ]);
    expect(code).toBe(0);
    // Earlier tests in this file: good (3 rows), bad, twice (1 row), status (2 rows) loaded
    // or failed; the overwritten object's newer generation has no marker.
    expect(out).toMatchObject({
      route: 'sales',
      states: { loaded: 3, failed: 1, none: 1 },
      rows: 6,
    });
    expect((out.failures as { object: string; error: string }[])[0]).toMatchObject({
      object: expect.stringMatching(/^gs:\/\/landing-out\/quarantine\/sales\/bad-/),
      error: expect.stringMatching(/^invalid: /),
    });
  });
});
