/**
 * Issue 15: project ids with a prefix (`s3ns:example-project` in Trusted Cloud by S3NS,
 * `example.com:project` for domain-scoped projects) work everywhere a project appears: the
 * rules file, destinations, job references and URLs, markers, completion events.
 */
import { randomUUID } from 'node:crypto';
import { objectJobId } from '../../src/core/job-id';
import { binaryStorageEvent, completionEvent, deliver } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack } from '../support/local-stack';

const suffix = randomUUID().slice(0, 8);

describe.each(['s3ns:example-project', 'example.com:project'])('project %s', (project) => {
  let stack: LocalStack;
  let fn: FunctionProcess;
  const bucket = `landing-${suffix}`;

  beforeAll(async () => {
    stack = await startLocalStack({ projectId: project });
    stack.gcs.store.insert(`archive-${suffix}`, 'README', Buffer.from('archive'), {});
    fn = await startFunction({
      ...stack.env,
      AUTOLOADER_CONFIG: stack.writeRules(`
project: ${project}
routes:
  - name: orders
    match: gs://${bucket}/orders/*.csv
    destination: ${project}.raw.orders
    load: { skipLeadingRows: 1 }
    schema: { fields: [{ name: id, type: INTEGER }, { name: amount, type: INTEGER }] }
    onSuccess: { action: move, to: gs://archive-${suffix}/done/ }
`),
    });
  });

  afterAll(async () => {
    await fn?.stop();
    await stack?.close();
  });

  it('finalize → load → completion → move', async () => {
    const name = `orders/a-${suffix}.csv`;
    const stored = stack.gcs.store.insert(bucket, name, Buffer.from('id,amount\n1,5\n2,5\n'), {
      contentType: 'text/csv',
    });
    const finalize = binaryStorageEvent({
      bucket,
      name,
      generation: stored.generation,
      size: Number(stored.size),
    });
    const jobId = objectJobId({ bucket, name, generation: stored.generation, route: 'orders' });
    const submitted = await deliver(fn, { id: finalize.headers['ce-id'], ...finalize });
    expect(submitted).toMatchObject({ jobId, outcome: 'submitted' });
    await stack.bigquery.waitForJob(project, jobId);
    const done = await deliver(
      fn,
      completionEvent(jobId, `gs://${bucket}/${name}`, { project, table: 'orders' }),
    );
    expect(done).toMatchObject({ outcome: 'finished', state: 'loaded', rows: '2', jobId });
    const [row] = await stack.bigquery.query(
      'SELECT count(*) AS n FROM raw.orders WHERE amount = 5',
    );
    expect(Number(row?.n)).toBe(2);
    expect(stack.gcs.store.get(`archive-${suffix}`, `done/${name}`).metadata).toMatchObject({
      'bq-autoloader-state': 'loaded',
    });
  });
});
