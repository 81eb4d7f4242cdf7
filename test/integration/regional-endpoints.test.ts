/**
 * Issue 15, regional endpoints: with `endpoints: regional` the deployed function sends its
 * BigQuery and Cloud Storage calls to the location's regional endpoints
 * (`bigquery.europe-west9.rep.googleapis.com`), over verified TLS through the universe gateway
 * (see sovereign.test.ts), and nothing to the global hosts: the gateway would refuse them.
 */
import { randomUUID } from 'node:crypto';
import { startUniverseGateway, type UniverseGateway } from '../../dev/universe-gateway';
import { binaryStorageEvent, post } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import {
  type LocalStack,
  startLocalStack,
  TEST_PROJECT,
  withoutEmulators,
} from '../support/local-stack';

const BIGQUERY = 'bigquery.europe-west9.rep.googleapis.com';
const STORAGE = 'storage.europe-west9.rep.googleapis.com';

let stack: LocalStack;
let gateway: UniverseGateway;
let fn: FunctionProcess;

beforeAll(async () => {
  stack = await startLocalStack();
  gateway = await startUniverseGateway({
    hosts: { [BIGQUERY]: stack.bigquery.url, [STORAGE]: stack.gcs.url },
  });
  fn = await startFunction({
    ...withoutEmulators(stack.env),
    ...gateway.env,
    AUTOLOADER_CONFIG: stack.writeRules(`
endpoints: regional
location: europe-west9
routes:
  - name: sales
    match: gs://landing-rep/sales/*.csv
    destination: raw.sales_rep
    load: { skipLeadingRows: 1 }
    schema: autodetect
`),
  });
});

afterAll(async () => {
  await fn?.stop();
  await gateway?.close();
  await stack?.close();
});

it('claims and inserts on the regional endpoints of the job location', async () => {
  const name = `sales/${randomUUID()}.csv`;
  const stored = stack.gcs.store.insert('landing-rep', name, Buffer.from('id,amount\n1,2\n'), {
    contentType: 'text/csv',
  });
  const event = binaryStorageEvent({
    bucket: 'landing-rep',
    name,
    generation: stored.generation,
    size: Number(stored.size),
  });
  expect((await post(fn.url, event)).status).toBe(204);
  const line = await fn.waitForLog((l) => l.eventId === event.headers['ce-id'] && !!l.outcome);

  expect(line).toMatchObject({ outcome: 'submitted', route: 'sales' });
  expect(gateway.requests.map(({ host, method, path }) => `${method} ${host}${path}`)).toEqual([
    `PATCH ${STORAGE}/storage/v1/b/landing-rep/o/${encodeURIComponent(name)}`,
    `POST ${BIGQUERY}/bigquery/v2/projects/${TEST_PROJECT}/jobs`,
  ]);
  const insert = stack.bigquery.requests.find((r) => r.method === 'POST');
  expect(JSON.parse(String(insert?.body)).jobReference.location).toBe('europe-west9');
});
