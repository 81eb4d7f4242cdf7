/**
 * Issue 13 item 6 through the real function: a batch route's sweep job fails because of one
 * malformed NDJSON file (a load job is atomic: nothing is written). The reconciling sweep
 * reloads the other files as one new job, marks the bad file failed with the error naming it
 * and moves it to the quarantine prefix; the table holds the good files' rows exactly once,
 * and a further sweep changes nothing.
 */
import { MARKER_ERROR, MARKER_JOB, MARKER_STATE } from '../../src/gcp/storage/markers';
import { sweepOnce } from '../support/events';
import { functionOnStack } from '../support/function-on-stack';
import { TEST_PROJECT } from '../support/local-stack';
import { BUCKET, createLedger, type Written } from './faults/ledger';

const RULES = `
routes:
  - name: feed
    match: gs://${BUCKET}/feed/*.ndjson
    destination: raw.feed
    schema: { fields: [{ name: id, type: INTEGER }, { name: tag, type: STRING }] }
    mode: batch
    batch: { maxFiles: 50 }
    onFailure: { action: move, to: gs://${BUCKET}/quarantine/ }
`;

const on = functionOnStack(RULES);

/** One tick; answers its summary line. */
const sweep = () => sweepOnce(on.fn);

function metadata(name: string): Record<string, string> | undefined {
  const page = on.stack.gcs.store.list(BUCKET, { prefix: '' });
  return page.items.find((o) => o.name === name)?.metadata;
}

/** The jobs the objects under feed/ are still waiting on. */
function pendingJobs(): string[] {
  const page = on.stack.gcs.store.list(BUCKET, { prefix: 'feed/' });
  const pending = page.items
    .map((o) => o.metadata ?? {})
    .filter((m) => m[MARKER_STATE] === 'claimed' || m[MARKER_STATE] === 'submitted');
  return [...new Set(pending.map((m) => m[MARKER_JOB] as string))];
}

it('a batch with one malformed file: the other five load once, the bad one is marked failed naming it and quarantined', async () => {
  const ledger = createLedger(on.stack);
  const good: Written[] = Array.from({ length: 5 }, (_, i) =>
    ledger.write(`feed/part-${i}.ndjson`, `good-${i}`, 2),
  );
  const badName = 'feed/part-9.ndjson';
  const badUri = `gs://${BUCKET}/${badName}`;
  on.stack.gcs.store.insert(BUCKET, badName, Buffer.from('{"id":1,"tag":"bad"}\nnot json\n'), {});

  // The first tick submits one batch job of all six; later ticks reconcile what finished,
  // until no object waits on a job. Each job is waited for before the next tick.
  const first = await sweep();
  expect(first).toMatchObject({ submitted: 1 });
  for (let tick = 0; tick < 8 && pendingJobs().length > 0; tick += 1) {
    for (const jobId of pendingJobs()) await on.stack.bigquery.waitForJob(TEST_PROJECT, jobId);
    await sweep();
  }
  expect(pendingJobs()).toEqual([]);

  // The first job failed whole; exactly one reload read the five good files, and loaded them.
  const [batchJob, ...others] = ledger.jobIdsFor(good[0]?.name ?? '');
  expect(ledger.jobIdsFor(badName)).toEqual([batchJob]);
  expect(others).toHaveLength(1);
  const reload = others[0] ?? '';
  expect(reload).toMatch(/^bqal_feed_reload_/);
  for (const w of good) expect(ledger.jobIdsFor(w.name)).toEqual([batchJob, reload]);
  const failed = await on.stack.bigquery.waitForJob(TEST_PROJECT, batchJob ?? '');
  expect(failed.status.errorResult).toMatchObject({ location: badUri });
  expect(await ledger.loaded('feed')).toEqual(Object.fromEntries(good.map((w) => [w.tag, w.rows])));
  for (const w of good) {
    expect(metadata(w.name)).toMatchObject({ [MARKER_JOB]: reload, [MARKER_STATE]: 'loaded' });
  }

  // The bad file: failed under the batch job, its error naming it, moved to quarantine.
  expect(metadata(badName)).toBeUndefined();
  const quarantined = metadata(`quarantine/${badName}`);
  expect(quarantined).toMatchObject({ [MARKER_JOB]: batchJob, [MARKER_STATE]: 'failed' });
  expect(quarantined?.[MARKER_ERROR]).toMatch(/^invalid: /);
  // The sweep that reconciled the failed job lists the reload on its line.
  const line = on.fn.logs.find(
    (l) => l.message === 'sweep done' && JSON.stringify(l.reconciled ?? {}).includes(reload),
  );
  expect(line?.reconciled).toMatchObject({
    failed: 1,
    reloads: [{ jobId: batchJob, reloadJobId: reload, quarantined: [badUri] }],
  });

  // Nothing left to do: a further sweep submits nothing and the table stays as it is.
  const jobsBefore = on.stack.bigquery.requests.filter((r) => r.method === 'POST').length;
  expect(await sweep()).toMatchObject({ submitted: 0 });
  expect(on.stack.bigquery.requests.filter((r) => r.method === 'POST').length).toBe(jobsBefore);
  expect(await ledger.loaded('feed')).toEqual(Object.fromEntries(good.map((w) => [w.tag, w.rows])));
});
