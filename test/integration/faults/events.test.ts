/**
 * Issue 13's proof, object events: each fault ends with the rows written loaded exactly
 * once (ledger.ts). Sequential redeliveries and single 503/429/reset retries are in
 * object-events.test.ts; the completion side of an overwrite in outcomes-events.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { MARKER_JOB, MARKER_STATE } from '../../../src/gcp/storage/markers';
import {
  binaryStorageEvent,
  legacyStorageEvent,
  notificationMessage,
  post,
  rawPushBody,
  structuredStorageEvent,
  type TestObject,
} from '../../support/events';
import { type FunctionProcess, startFunction } from '../../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../../support/local-stack';
import { BUCKET, createLedger, type Written } from './ledger';

const RULES = `
allow:
  buckets: [${BUCKET}]
  destinations: [${TEST_PROJECT}.raw]
routes:
  - name: faults
    match: gs://${BUCKET}/{table}/*.ndjson
    destination: raw.{table}
    schema: { fields: [{ name: id, type: INTEGER }, { name: tag, type: STRING }] }
  - name: snapshots
    match: gs://${BUCKET}/snap/{table}/*.ndjson
    destination: raw.{table}
    snapshot: true
    wait: { timeoutSeconds: 60 }
    schema: { fields: [{ name: id, type: INTEGER }, { name: tag, type: STRING }] }
`;

let stack: LocalStack;
let fn: FunctionProcess;
let env: Record<string, string>;
let ledger: ReturnType<typeof createLedger>;

beforeAll(async () => {
  stack = await startLocalStack();
  ledger = createLedger(stack);
  env = {
    ...stack.env,
    AUTOLOADER_CONFIG: stack.writeRules(RULES),
    // Short, so that a storm outlasts it and the trigger's redelivery has to finish the job.
    AUTOLOADER_RETRY_BUDGET_MS: '1000',
  };
  fn = await startFunction(env);
});

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

afterEach(() => stack.bigquery.clearFaults());

const uriOf = (w: { name: string }) => `gs://${BUCKET}/${w.name}`;
const asObject = (w: Written): TestObject => ({ ...w });

/** The outcome lines logged for an object, once there are `count` of them. */
async function outcomes(f: FunctionProcess, w: Written, count: number) {
  const of = () => f.logs.filter((l) => l.object === uriOf(w) && typeof l.outcome === 'string');
  await f.waitForLog(() => of().length >= count, 20_000);
  return of();
}

const pushPath = `/projects/${TEST_PROJECT}/topics/gcs-notifications`;
const subscription = `projects/${TEST_PROJECT}/subscriptions/gcs-notifications`;

function tally(lines: Record<string, unknown>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) out[String(l.outcome)] = (out[String(l.outcome)] ?? 0) + 1;
  return out;
}

/** A promise and the function that settles it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}

it('20 concurrent redeliveries of one event: one job, the rows once, 19 duplicates', async () => {
  const w = ledger.write(`redeliver/${randomUUID()}.ndjson`, 'redeliver', 5);
  const responses = await Promise.all(
    Array.from({ length: 20 }, () => post(fn.url, binaryStorageEvent(asObject(w)))),
  );
  expect(responses.map((r) => r.status)).toEqual(Array(20).fill(204));
  expect(tally(await outcomes(fn, w, 20))).toEqual({ submitted: 1, duplicate: 19 });
  await ledger.expectExactlyOnce('redeliver', [w], { [w.name]: 1 });
});

it('one generation in every form at once (Eventarc binary, structured, legacy; notifications JSON and NONE): one job', async () => {
  const w = ledger.write(`forms/${randomUUID()}.ndjson`, 'forms', 4);
  const o = asObject(w);
  const forms = [
    () => post(fn.url, binaryStorageEvent(o)),
    () => post(fn.url, structuredStorageEvent(o)),
    () => post(fn.url, legacyStorageEvent(o)),
    () => post(fn.url, rawPushBody(notificationMessage(o, 'JSON_API_V1'), subscription), pushPath),
    () => post(fn.url, rawPushBody(notificationMessage(o, 'NONE'), subscription), pushPath),
  ];
  const responses = await Promise.all([...forms, ...forms].map((send) => send()));
  expect(responses.map((r) => r.status)).toEqual(Array(10).fill(204));
  const lines = await outcomes(fn, w, 10);
  expect(tally(lines)).toEqual({ submitted: 1, duplicate: 9 });
  expect(new Set(lines.map((l) => l.jobId)).size).toBe(1);
  await ledger.expectExactlyOnce('forms', [w], { [w.name]: 1 });
});

it('an event for a generation overwritten before it was claimed is refused; the live one loads once', async () => {
  const name = `overwrite/${randomUUID()}.ndjson`;
  const old = ledger.write(name, 'overwrite-1', 3);
  const live = ledger.write(name, 'overwrite-2', 2);
  // The late event for generation 1, then generation 2's own, then both again at once.
  expect((await post(fn.url, binaryStorageEvent(asObject(old)))).status).toBe(204);
  const [late] = await outcomes(fn, old, 1);
  expect(late).toMatchObject({
    outcome: 'refused',
    reason: expect.stringContaining('no longer the live one'),
  });
  await Promise.all([live, old, live].map((w) => post(fn.url, binaryStorageEvent(asObject(w)))));
  expect(tally(await outcomes(fn, live, 4))).toEqual({ refused: 2, submitted: 1, duplicate: 1 });
  // Generation 1's bytes are gone: refusing it is the only outcome that loads no wrong bytes.
  await ledger.expectExactlyOnce('overwrite', [live], { [name]: 1 });
});

it('the function killed with SIGKILL between claim and insert, then redelivered: one job, the rows once', async () => {
  const w = ledger.write(`killed/${randomUUID()}.ndjson`, 'killed', 6);
  const victim = await startFunction(env);
  const release = gate();
  const held = gate();
  stack.bigquery.injectFault({
    method: 'POST',
    path: /\/jobs$/,
    hold: release.promise,
    onHold: held.open,
  });
  // The victim never answers this delivery: the trigger would redeliver it.
  const lost = post(victim.url, binaryStorageEvent(asObject(w))).catch((e: Error) => e);
  await held.promise;
  const claimed = stack.gcs.store.get(BUCKET, w.name).metadata ?? {};
  expect(claimed[MARKER_STATE]).toBe('claimed');
  await victim.kill('SIGKILL');
  // fetch failed (an Error of another realm than jest's, so not `toBeInstanceOf`).
  expect(await lost).toMatchObject({ message: 'fetch failed' });
  release.open();

  const restarted = await startFunction(env);
  try {
    expect((await post(restarted.url, binaryStorageEvent(asObject(w)))).status).toBe(204);
    const [line] = await outcomes(restarted, w, 1);
    expect(line).toMatchObject({ outcome: 'submitted', jobId: claimed[MARKER_JOB] });
  } finally {
    await restarted.stop();
  }
  await ledger.expectExactlyOnce('killed', [w], { [w.name]: 1 });
  expect(stack.gcs.store.get(BUCKET, w.name).metadata).toMatchObject({
    [MARKER_JOB]: claimed[MARKER_JOB],
    [MARKER_STATE]: 'claimed',
  });
});

it('snapshot route: an overwrite between the claim and the load job reading the object loads each generation once', async () => {
  const name = `snap/snapped/${randomUUID()}.ndjson`;
  const first = ledger.write(name, 'snapped-1', 3);
  const release = gate();
  const held = gate();
  stack.bigquery.injectFault({
    method: 'POST',
    path: /\/jobs$/,
    hold: release.promise,
    onHold: held.open,
  });
  const delivered = post(fn.url, binaryStorageEvent(asObject(first)));
  // Generation 1 is claimed and copied; its insert is held: the object is overwritten now.
  await held.promise;
  const second = ledger.write(name, 'snapped-2', 2);
  release.open();
  expect((await delivered).status).toBe(204);
  stack.bigquery.clearFaults();
  expect((await post(fn.url, binaryStorageEvent(asObject(second)))).status).toBe(204);
  const lines = await outcomes(fn, first, 2);
  // Waited for (route option wait): each event's line records the finished load.
  expect(tally(lines)).toEqual({ finished: 2 });
  await ledger.expectExactlyOnce('snapped', [first, second], { [name]: 2 });
  // Each job waited for (route option wait) and finished: its snapshot is deleted.
  const left = stack.gcs.store.list(BUCKET, { prefix: '.bq-autoloader/snapshots/' }).items;
  expect(left.filter((o) => o.name.endsWith(name))).toEqual([]);
});

it('BigQuery answering 503, 429 and connection resets for a while: redelivered until each object loads once', async () => {
  const objects = Array.from({ length: 4 }, (_, i) =>
    ledger.write(`storm/${randomUUID()}.ndjson`, `storm-${i}`, i + 1),
  );
  const inserts = /\/jobs$/;
  // The first insert is served and its answer lost: the retry meets its own job (409).
  stack.bigquery.injectFault({ method: 'POST', path: inserts, status: 503, afterServing: true });
  stack.bigquery.injectFault({ method: 'POST', path: inserts, status: 503, times: 8 });
  stack.bigquery.injectFault({ method: 'GET', path: /\/jobs\//, status: 503, times: 3 });
  stack.bigquery.injectFault({ method: 'POST', path: inserts, status: 429, times: 8 });
  stack.bigquery.injectFault({ method: 'POST', path: inserts, reset: true, times: 8 });
  const deliveries = await Promise.all(
    objects.map(async (w) => {
      // The trigger's redelivery, bounded: a poison loop would fail here.
      for (let attempt = 1; attempt <= 15; attempt += 1) {
        const status = (await post(fn.url, binaryStorageEvent(asObject(w)))).status;
        if (status === 204) return attempt;
        expect(status).toBe(500);
      }
      throw new Error(`${w.name} still failing after 15 deliveries`);
    }),
  );
  expect(deliveries.every((n) => n >= 1)).toBe(true);
  for (const w of objects) {
    const lines = await outcomes(fn, w, 1);
    const final = lines.filter((l) => l.outcome !== 'retry');
    expect(final).toHaveLength(1);
    expect(['submitted', 'duplicate']).toContain(final[0]?.outcome);
  }
  await ledger.expectExactlyOnce(
    'storm',
    objects,
    Object.fromEntries(objects.map((w) => [w.name, 1])),
  );
});
