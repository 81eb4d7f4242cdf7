/**
 * Issue 12 end to end, as a new user meets it: files dropped into the local buckets folder
 * load (or fail) by themselves, the reconcile loop finishes them, and the status page — read
 * in a real headless Chromium — shows the loaded file with its rows and the failed one with
 * the file and line BigQuery reported. Then the file is fixed (a new generation loads by
 * itself), a table is fixed and the failed object is replayed with the page's button.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { type LocalLoader, openLocalLoader } from '../../dev/local-loader';
import {
  type FinishedLoad,
  type ReconcileLoop,
  startReconcileLoop,
} from '../../dev/reconcile-loop';
import { type StatusServer, startStatusServer } from '../../dev/status/server';
import { startWatcher } from '../../dev/watcher';
import { type HeadlessBrowser, launchChromium, missingBrowser } from '../support/chromium';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { useMetadataEnv } from '../unit/gcp/metadata-env';

const RULES = `
project: ${TEST_PROJECT}
location: US
allow: { buckets: [landing], destinations: [${TEST_PROJECT}.raw] }
routes:
  - name: orders
    match: gs://landing/orders/*.csv
    destination: raw.orders
    schema: { fields: [{ name: id, type: INT64 }, { name: amount, type: NUMERIC }] }
    load: { skipLeadingRows: 1 }
  # Loads only into an existing table: its files fail until the table is made.
  - name: refunds
    match: gs://landing/refunds/*.csv
    destination: raw.refunds
    schema: { fields: [{ name: id, type: INT64 }, { name: amount, type: NUMERIC }] }
    load: { skipLeadingRows: 1, createDisposition: CREATE_NEVER }
  - name: refunds-setup
    match: gs://landing/setup/refunds.csv
    destination: raw.refunds
    schema: { fields: [{ name: id, type: INT64 }, { name: amount, type: NUMERIC }] }
    load: { skipLeadingRows: 1 }
`;

const skipReason = missingBrowser();
// CI installs the browser (.ci/run): there, a missing one is a failure, not a skip.
if (skipReason && process.env.CI) throw new Error(`status page browser test: ${skipReason}`);
if (skipReason) console.warn(`status page browser test skipped: ${skipReason}`);
const describeWithBrowser = skipReason ? describe.skip : describe;

let stack: LocalStack;
let fn: FunctionProcess;
let watcher: Awaited<ReturnType<typeof startWatcher>>;
let loop: ReconcileLoop;
let status: StatusServer;
let browser: HeadlessBrowser;
let restoreEnv: () => void;
let loader: LocalLoader;
const finished: FinishedLoad[] = [];

beforeAll(async () => {
  if (skipReason) return;
  stack = await startLocalStack();
  const config = stack.writeRules(RULES);
  fn = await startFunction({ ...stack.env, AUTOLOADER_CONFIG: config });
  mkdirSync(join(stack.rootDir, 'buckets', 'landing'), { recursive: true });
  watcher = await startWatcher({
    rootDir: stack.rootDir,
    store: stack.gcs.store,
    functionUrl: fn.url,
    stabilityMs: 150,
  });
  // google-auth-library reads process.env: the in-process loader finds the local servers.
  restoreEnv = useMetadataEnv(stack.metadata.host, {
    BIGQUERY_EMULATOR_HOST: stack.bigquery.host,
    STORAGE_EMULATOR_HOST: stack.gcs.emulatorHost,
  });
  loader = await openLocalLoader(process.env, config);
  loop = startReconcileLoop({ loader, intervalMs: 200, onFinished: (l) => finished.push(l) });
  status = await startStatusServer({ loader, bigqueryUrl: stack.bigquery.url, refreshSeconds: 0 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await status?.close();
  await loop?.close();
  loader?.close();
  await watcher?.close();
  await fn?.stop();
  await stack?.close();
  restoreEnv?.();
});

function drop(name: string, text: string): void {
  const path = join(stack.rootDir, 'buckets', 'landing', name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** The reconcile loop's announcement for the object, once it has said it (bounded wait). */
async function finishedAs(object: string, state: string, after = 0): Promise<FinishedLoad> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = finished.slice(after).find((l) => l.object === object && l.state === state);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `${object} was never ${state}; finished: ${JSON.stringify(finished)}\n${fn.output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const row = (page: Page, object: string) => page.locator(`tr[data-object="${object}"]`);

describeWithBrowser('the status page in a real browser', () => {
  it('shows loads and errors, and a fixed file or a replay turns failed into loaded', async () => {
    const good = 'gs://landing/orders/good.csv';
    const bad = 'gs://landing/orders/bad.csv';
    const refund = 'gs://landing/refunds/r1.csv';
    drop('orders/good.csv', 'id,amount\n1,2.50\n2,3.75\n');
    drop('orders/bad.csv', 'id,amount\n3,oops\n');
    drop('refunds/r1.csv', 'id,amount\n7,1.00\n');
    await finishedAs(good, 'loaded');
    await finishedAs(bad, 'failed');
    await finishedAs(refund, 'failed');
    // Said once: later runs find the markers final and leave them alone.
    await loop.runOnce();
    expect(finished.filter((l) => l.object === good)).toHaveLength(1);

    const page = await browser.context.newPage();
    await page.goto(status.url);
    await expectRow(page, good, 'loaded', '2');
    await expectRow(page, bad, 'failed');
    // The file and line BigQuery reported, under the failed object.
    const badErrors = await row(page, bad).locator('.job-errors').textContent();
    expect(badErrors).toContain(bad);
    expect(badErrors).toMatch(/line_number: 2/);
    expect(await page.locator('tr[data-table="raw.orders"] td').nth(1).textContent()).toBe('2');
    expect(await page.locator('#rules').textContent()).toContain('gs://landing/orders/*.csv');
    expect(await row(page, good).locator('button').count()).toBe(0);

    // Fixing the file: the new generation loads by itself.
    const before = finished.length;
    drop('orders/bad.csv', 'id,amount\n3,4.25\n');
    await finishedAs(bad, 'loaded', before);
    await page.reload();
    await expectRow(page, bad, 'loaded', '1');
    expect(await page.locator('tr[data-table="raw.orders"] td').nth(1).textContent()).toBe('3');

    // Fixing the table, then pressing replay: the retry loads the same generation.
    drop('setup/refunds.csv', 'id,amount\n');
    await finishedAs('gs://landing/setup/refunds.csv', 'loaded');
    await expectRow(page, refund, 'failed');
    const replayed = finished.length;
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${status.url}replay`),
      row(page, refund).getByRole('button', { name: 'replay' }).click(),
    ]);
    expect(answer.status()).toBe(303);
    await page.waitForURL(status.url);
    expect(await page.locator('#notices').textContent()).toContain(
      `replay ${refund}: retry submitted`,
    );
    const retried = await finishedAs(refund, 'loaded', replayed);
    expect(retried.jobId).toMatch(/_a\d+$/);
    await page.reload();
    await expectRow(page, refund, 'loaded', '1');
    await page.close();
  });

  it('refuses a replay posted by another site', async () => {
    const response = await fetch(`${status.url}replay`, {
      method: 'POST',
      headers: {
        Origin: 'http://attacker.example',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'object=gs://landing/refunds/r1.csv',
    });
    expect(response.status).toBe(403);
  });
});

async function expectRow(page: Page, object: string, state: string, rows?: string) {
  const r = row(page, object);
  expect(await r.getAttribute('data-state')).toBe(state);
  if (rows !== undefined) expect(await r.locator('td').nth(5).textContent()).toBe(rows);
}
