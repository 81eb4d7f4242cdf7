/**
 * `bq-autoloader local load DIR gs://BUCKET/PREFIX/`, run as built against a local stack it
 * finds through stack.json: a folder's files are dropped into the stack's bucket folder (the
 * watcher sends their finalize events) and each is followed to its final state.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWatcher } from '../../dev/watcher';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { runCli } from '../support/run-cli';

const RULES = `
project: ${TEST_PROJECT}
routes:
  - name: orders
    match: gs://landing/orders/**.csv
    destination: raw.orders
    schema: { fields: [{ name: id, type: INT64 }, { name: amount, type: NUMERIC }] }
    load: { skipLeadingRows: 1 }
    wait: { timeoutSeconds: 20 }
`;

let stack: LocalStack;
let fn: FunctionProcess;
let watcher: Awaited<ReturnType<typeof startWatcher>>;
let rules: string;

beforeAll(async () => {
  stack = await startLocalStack();
  rules = stack.writeRules(RULES);
  fn = await startFunction({ ...stack.env, AUTOLOADER_CONFIG: rules });
  mkdirSync(join(stack.rootDir, 'buckets', 'landing'), { recursive: true });
  watcher = await startWatcher({
    rootDir: stack.rootDir,
    store: stack.gcs.store,
    functionUrl: fn.url,
    stabilityMs: 150,
  });
  // What npm start leaves for the commands (LocalStackInfo, src/cli/local-stack.ts).
  const info = {
    project: TEST_PROJECT,
    functionUrl: fn.url,
    bigqueryUrl: stack.bigquery.url,
    gcsUrl: stack.gcs.url,
    metadataHost: stack.metadata.host,
    config: rules,
  };
  writeFileSync(join(stack.rootDir, 'stack.json'), JSON.stringify(info));
});

afterAll(async () => {
  await watcher?.close();
  await fn?.stop();
  await stack?.close();
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bqal-local-load-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const local = (args: string[]) =>
  runCli(['local', 'load', ...args], { AUTOLOADER_LOCAL_DIR: stack.rootDir });

it('follows each file to its state: loaded with rows, failed with the error, not routed with why; exit 1', async () => {
  const dir = folder({
    'good.csv': 'id,amount\n1,10\n2,20\n',
    'more/bad.csv': 'id,amount\n3,not-a-number\n',
    'notes.txt': 'not data',
    '.hidden.csv': 'id,amount\n9,9\n',
  });
  const { code, stdout, stderr } = await local([dir, 'gs://landing/orders/', '--json']);
  expect(stderr).toContain('using the local stack started by npm start');
  expect(code).toBe(1);
  const results = JSON.parse(stdout) as Record<string, string>[];
  expect(results).toEqual([
    expect.objectContaining({ object: 'gs://landing/orders/good.csv', state: 'loaded', rows: '2' }),
    expect.objectContaining({
      object: 'gs://landing/orders/more/bad.csv',
      state: 'failed',
      detail: expect.stringMatching(/^invalid: /),
    }),
    expect.objectContaining({ object: 'gs://landing/orders/notes.txt', state: 'ignore' }),
  ]);
  const [row] = await stack.bigquery.query('SELECT count(*)::INTEGER AS n FROM raw.orders');
  expect(row?.n).toBe(2);
});

it('copies only with --no-wait (exit 0), and refuses a target that is not a folder (exit 2)', async () => {
  const dir = folder({ 'late.csv': 'id,amount\n5,50\n' });
  const copied = await local([dir, 'gs://landing/orders/later/', '--no-wait', '--json']);
  expect(copied.code).toBe(0);
  expect(JSON.parse(copied.stdout)).toEqual([
    { object: 'gs://landing/orders/later/late.csv', state: 'copied' },
  ]);
  const bad = await local([dir, 'gs://landing/orders/file.csv']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/expected gs:\/\/BUCKET\/ or gs:\/\/BUCKET\/PREFIX\//);
});
