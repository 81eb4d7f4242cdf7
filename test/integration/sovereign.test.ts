/**
 * Issue 15, the local proof: the deployed function in another universe. The metadata server
 * says the instance runs in `s3nsapis.fr` (Trusted Cloud by S3NS), the project is
 * `s3ns:example-project`, and no emulator variable is set: the function derives
 * `https://bigquery.s3nsapis.fr` and `https://storage.s3nsapis.fr` itself and calls them over
 * TLS, verified against a test CA given through NODE_EXTRA_CA_CERTS. Those names reach the
 * local servers through the universe gateway, an egress proxy (HTTPS_PROXY, which the
 * function honours as Google's clients do) that plays Google's hosts and records every call.
 */
import { randomUUID } from 'node:crypto';
import { startUniverseGateway, type UniverseGateway } from '../../dev/universe-gateway';
import { objectJobId } from '../../src/core/job-id';
import { binaryStorageEvent, completionEvent, deliver } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, withoutEmulators } from '../support/local-stack';

const PROJECT = 's3ns:example-project';
const ENCODED = encodeURIComponent(PROJECT);
const suffix = randomUUID().slice(0, 8);
const LANDING = `landing-${suffix}`;
const ARCHIVE = `archive-${suffix}`;

let stack: LocalStack;
let gateway: UniverseGateway;
let fn: FunctionProcess;

/** `METHOD host/path` of every call the gateway saw since the last reset. */
function calls(): string[] {
  return gateway.requests.map(({ host, method, path }) => `${method} ${host}${path}`);
}

beforeAll(async () => {
  stack = await startLocalStack({ projectId: PROJECT, universeDomain: 's3nsapis.fr' });
  stack.gcs.store.insert(ARCHIVE, 'README', Buffer.from('archive'), {});
  gateway = await startUniverseGateway({
    hosts: { 'bigquery.s3nsapis.fr': stack.bigquery.url, 'storage.s3nsapis.fr': stack.gcs.url },
  });
  fn = await startFunction({
    ...withoutEmulators(stack.env),
    ...gateway.env,
    GOOGLE_CLOUD_UNIVERSE_DOMAIN: 's3nsapis.fr',
    AUTOLOADER_CONFIG: stack.writeRules(`
location: u-france-east1
routes:
  - name: orders
    match: gs://${LANDING}/orders/*.csv
    destination: ${PROJECT}.raw.orders
    load: { skipLeadingRows: 1 }
    schema: { fields: [{ name: id, type: INTEGER }, { name: amount, type: INTEGER }] }
    onSuccess: { action: move, to: gs://${ARCHIVE}/done/ }
`),
  });
});

afterAll(async () => {
  await fn?.stop();
  await gateway?.close();
  await stack?.close();
});

it('starts in the universe GOOGLE_CLOUD_UNIVERSE_DOMAIN names, as its metadata server confirms, and says so', async () => {
  const line = await fn.waitForLog((l) => String(l.message).startsWith('rules loaded'));
  expect(line).toMatchObject({
    universe: 's3nsapis.fr',
    endpoints: {
      bigquery: 'https://bigquery.s3nsapis.fr',
      storage: 'https://storage.s3nsapis.fr/storage/v1',
      pubsub: 'https://pubsub.s3nsapis.fr',
    },
  });
  expect(String(line.message)).toContain('universe s3nsapis.fr (GOOGLE_CLOUD_UNIVERSE_DOMAIN)');
});

it('finalize → load → completion → move, on the universe’s hosts over verified TLS', async () => {
  const name = `orders/${suffix}.csv`;
  const object = `/storage/v1/b/${LANDING}/o/${encodeURIComponent(name)}`;
  const stored = stack.gcs.store.insert(LANDING, name, Buffer.from('id,amount\n1,7\n2,7\n'), {
    contentType: 'text/csv',
  });
  const jobId = objectJobId({
    bucket: LANDING,
    name,
    generation: stored.generation,
    route: 'orders',
  });
  gateway.requests.length = 0;

  const finalize = binaryStorageEvent({
    bucket: LANDING,
    name,
    generation: stored.generation,
    size: Number(stored.size),
  });
  const submitted = await deliver(fn, { id: finalize.headers['ce-id'], ...finalize });
  expect(submitted).toMatchObject({ outcome: 'submitted', jobId });
  expect(calls()).toEqual([
    `PATCH storage.s3nsapis.fr${object}`,
    `POST bigquery.s3nsapis.fr/bigquery/v2/projects/${ENCODED}/jobs`,
  ]);
  const inserted = await stack.bigquery.waitForJob(PROJECT, jobId);
  expect(inserted.jobReference).toMatchObject({ projectId: PROJECT, location: 'u-france-east1' });

  gateway.requests.length = 0;
  const done = await deliver(
    fn,
    completionEvent(jobId, `gs://${LANDING}/${name}`, {
      project: PROJECT,
      table: 'orders',
      location: 'u-france-east1',
    }),
  );
  expect(done).toMatchObject({ outcome: 'finished', state: 'loaded', rows: '2', action: 'moved' });
  const job = `/bigquery/v2/projects/${ENCODED}/jobs/${jobId}`;
  expect(calls()).toEqual([
    `GET bigquery.s3nsapis.fr${job}`, // the job, read back: it must be the one the loader planned
    `GET storage.s3nsapis.fr${object}`, // the generation the job loaded
    `GET storage.s3nsapis.fr${object}`, // still the live one? (never move newer bytes)
    `PATCH storage.s3nsapis.fr${object}`, // the `loaded` marker
    `POST storage.s3nsapis.fr${object}/rewriteTo/b/${ARCHIVE}/o/${encodeURIComponent(`done/${name}`)}`,
    `DELETE storage.s3nsapis.fr${object}`,
  ]);
  const [row] = await stack.bigquery.query('SELECT count(*) AS n FROM raw.orders WHERE amount = 7');
  expect(Number(row?.n)).toBe(2);
  expect(stack.gcs.store.get(ARCHIVE, `done/${name}`).metadata).toMatchObject({
    'bq-autoloader-job': jobId,
    'bq-autoloader-state': 'loaded',
  });
  // Only the universe's hosts were asked for, each over one verified tunnel.
  expect(new Set(gateway.tunnels.map((t) => t.authority))).toEqual(
    new Set(['storage.s3nsapis.fr:443', 'bigquery.s3nsapis.fr:443']),
  );
  expect(gateway.tunnels.every((t) => t.accepted)).toBe(true);
});

describe('with nothing configured', () => {
  let fromCredentials: FunctionProcess | undefined;
  afterAll(async () => {
    await fromCredentials?.stop();
  });

  it('takes the universe from the credentials and reads a gs:// rules file in it', async () => {
    const rules = `routes:\n  - name: r\n    match: gs://${LANDING}/r/*.csv\n    destination: raw.r\n`;
    stack.gcs.store.insert(`config-${suffix}`, 'autoloader.yaml', Buffer.from(rules), {});
    gateway.requests.length = 0;
    fromCredentials = await startFunction({
      ...withoutEmulators(stack.env),
      ...gateway.env,
      AUTOLOADER_CONFIG: `gs://config-${suffix}/autoloader.yaml`,
    });
    const line = await fromCredentials.waitForLog((l) => String(l.message).startsWith('rules'));
    expect(line).toMatchObject({ severity: 'INFO', universe: 's3nsapis.fr', routes: 1 });
    expect(String(line.message)).toContain('universe s3nsapis.fr (credentials)');
    expect(calls()).toEqual([
      `GET storage.s3nsapis.fr/storage/v1/b/config-${suffix}/o/autoloader.yaml`,
    ]);
  });
});

it('refuses at start regional endpoints the running universe does not have', async () => {
  const refused = await startFunction({
    ...withoutEmulators(stack.env),
    ...gateway.env,
    // Valid in googleapis.com, which is all the rules file alone lets validation assume.
    AUTOLOADER_CONFIG: stack.writeRules(
      `endpoints: regional\nlocation: europe-west9\nroutes:\n  - name: r\n    match: gs://b/*.csv\n    destination: raw.r\n`,
      'regional.yaml',
    ),
  });
  try {
    expect(await refused.exited).not.toBe(0);
    const line = refused.logs.find((l) => l.severity === 'CRITICAL');
    expect(String(line?.message)).toContain(
      'location: europe-west9 has no BigQuery regional endpoint in s3nsapis.fr',
    );
  } finally {
    await refused.stop();
  }
});
