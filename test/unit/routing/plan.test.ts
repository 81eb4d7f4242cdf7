import { objectJobId } from '../../../src/core/job-id';
import { planObjectLoad } from '../../../src/routing/plan';
import type { LoadPlan, ObjectRef, RouteDecision } from '../../../src/types';
import { objectRef, rulesFrom } from './rules';

const RULES = `
project: billing-proj
location: EU
allow:
  buckets: [landing, landing-*, landing_*]
  destinations: [data-proj.raw, data-proj.staging_*, other-proj.ext.allowed_table]
defaults:
  writeDisposition: WRITE_APPEND
  maxBadRecords: 5
routes:
  - name: sales
    match: gs://landing/sales/{region}/{yyyy}-{mm}-{dd}/*.csv
    destination: data-proj.raw.sales_{region}\${yyyy}{mm}{dd}
    load: { skipLeadingRows: 1, maxBadRecords: 0 }
    schema: autodetect
  - name: events
    match: gs://landing*/events/**
    destination: data-proj.staging_{bucket}.events_{created:yyyyMM}
    schema: { fields: [{ name: id, type: STRING }] }
  - name: typed
    match: { bucket: landing, regex: '^typed/(?<kind>[a-z]+)/', contentType: 'text/*' }
    destination: data-proj.raw.typed_{kind}
    format: CSV
  - name: flexible
    match: gs://landing/flex/*
    destination: data-proj.raw.flex
    overrides: [bq-table, bq-dataset, bq-write-disposition, bq-format, bq-partition]
  - name: strict
    match: gs://landing/strict/*
    destination: data-proj.raw.strict
  - name: dotted
    match: gs://landing/dotted/{file}
    destination: data-proj.raw.{file}
  - name: outside
    match: gs://landing/outside/*.csv
    destination: data-proj.secret.t
  - name: ext
    match: gs://landing/ext/*.csv
    destination: other-proj.ext.{basename}
`;

let rulesPromise: ReturnType<typeof rulesFrom>;
beforeAll(() => {
  rulesPromise = rulesFrom(RULES);
});

async function plan(overrides: Partial<ObjectRef>, runtimeProject = 'runtime-proj') {
  return planObjectLoad(await rulesPromise, objectRef(overrides), { runtimeProject });
}

function loadPlan(decision: RouteDecision): LoadPlan {
  if (decision.kind !== 'load') throw new Error(`expected a load, got ${JSON.stringify(decision)}`);
  return decision.plan;
}

describe('planObjectLoad', () => {
  it('builds the complete job for a matching object', async () => {
    const object = objectRef({ name: 'sales/eu/2026-01-31/a.csv' });
    const decision = await plan(object);
    const jobId = objectJobId({ ...object, route: 'sales' });
    expect(decision).toEqual({
      kind: 'load',
      plan: {
        route: 'sales',
        projectId: 'billing-proj',
        location: 'EU',
        jobId,
        object: 'gs://landing/sales/eu/2026-01-31/a.csv',
        job: {
          jobReference: { projectId: 'billing-proj', jobId, location: 'EU' },
          configuration: {
            load: {
              writeDisposition: 'WRITE_APPEND',
              maxBadRecords: 0,
              skipLeadingRows: 1,
              autodetect: true,
              sourceFormat: 'CSV',
              destinationTable: {
                projectId: 'data-proj',
                datasetId: 'raw',
                tableId: 'sales_eu$20260131',
              },
              sourceUris: ['gs://landing/sales/eu/2026-01-31/a.csv'],
            },
            labels: { 'bq-autoloader-route': 'sales', 'bq-autoloader-bucket': 'landing' },
          },
        },
      },
    });
  });

  it.each([
    ['a zero-byte object', { size: 0 }, /zero-byte/],
    ['a folder placeholder', { name: 'sales/eu/' }, /folder placeholder/],
    ['a name with *', { name: 'sales/eu/2026-01-31/a*.csv' }, /contains "\*"/],
    [
      'a bucket outside allow.buckets',
      { bucket: 'elsewhere' },
      /"elsewhere" is not in allow\.buckets/,
    ],
  ])('refuses %s before routing', async (_what, overrides, reason) => {
    const decision = await plan(overrides);
    expect(decision).toEqual({ kind: 'refused', reason: expect.stringMatching(reason) });
  });

  it('ignores an object no route matches, saying so', async () => {
    expect(await plan({ name: 'unknown/a.csv' })).toEqual({
      kind: 'ignored',
      reason: 'no route matched gs://landing/unknown/a.csv',
    });
  });

  it('never routes the loader’s own objects (sweep leases), before any route is tried', async () => {
    expect(await plan({ bucket: 'landing-x', name: '.bq-autoloader/sweep.lease' })).toEqual({
      kind: 'ignored',
      reason: "gs://landing-x/.bq-autoloader/sweep.lease is bq-autoloader's own (a sweep lease)",
    });
  });

  it('refuses a rendered identifier that BigQuery cannot address, naming the value', async () => {
    expect(await plan({ name: 'dotted/a.csv' })).toEqual({
      kind: 'refused',
      route: 'dotted',
      reason: expect.stringMatching(
        /^destination "data-proj\.raw\.\{file\}": table id "a\.csv" is invalid/,
      ),
    });
  });

  it('refuses a destination outside allow.destinations', async () => {
    expect(await plan({ name: 'outside/a.csv' })).toEqual({
      kind: 'refused',
      route: 'outside',
      reason: 'destination data-proj.secret.t is not in allow.destinations',
    });
  });

  it.each([
    ['allowed_table.csv', 'load'],
    ['other_table.csv', 'refused'],
  ])('matches a project.dataset.table allowlist entry exactly (%s → %s)', async (file, kind) => {
    expect((await plan({ name: `ext/${file}` })).kind).toBe(kind);
  });

  it('uses the bucket glob and the created date in the destination', async () => {
    const p = loadPlan(await plan({ bucket: 'landing_eu', name: 'events/x/y.ndjson.gz' }));
    expect(p.job.configuration.load.destinationTable).toEqual({
      projectId: 'data-proj',
      datasetId: 'staging_landing_eu',
      tableId: 'events_202601',
    });
  });

  it('refuses when a placeholder renders an invalid dataset id', async () => {
    const decision = await plan({ bucket: 'landing-prod', name: 'events/x/y.ndjson.gz' });
    expect(decision).toEqual({
      kind: 'refused',
      route: 'events',
      reason: expect.stringContaining('dataset id "staging_landing-prod" is invalid'),
    });
  });

  it('refuses {created:…} when the object has no timeCreated', async () => {
    const decision = await plan({
      bucket: 'landing_eu',
      name: 'events/y.ndjson',
      timeCreated: undefined,
    });
    expect(decision).toEqual({
      kind: 'refused',
      route: 'events',
      reason: expect.stringMatching(/timeCreated/),
    });
  });

  it('routes the regex form with named groups and a content type condition', async () => {
    const p = loadPlan(await plan({ name: 'typed/orders/1.dat', contentType: 'text/plain' }));
    expect(p.route).toBe('typed');
    expect(p.job.configuration.load).toMatchObject({
      destinationTable: { tableId: 'typed_orders' },
      sourceFormat: 'CSV',
    });
    expect(p.job.configuration.load).not.toHaveProperty('schema');
    expect(p.job.configuration.load).not.toHaveProperty('autodetect');
    expect((await plan({ name: 'typed/orders/1.dat', contentType: 'image/png' })).kind).toBe(
      'ignored',
    );
  });

  it('passes an inline schema through', async () => {
    const p = loadPlan(await plan({ bucket: 'landing_eu', name: 'events/y.ndjson' }));
    expect(p.job.configuration.load.schema).toEqual({ fields: [{ name: 'id', type: 'STRING' }] });
    expect(p.job.configuration.load.sourceFormat).toBe('NEWLINE_DELIMITED_JSON');
  });

  it('applies the overrides the route lists', async () => {
    const p = loadPlan(
      await plan({
        name: 'flex/a.csv',
        metadata: {
          'bq-table': 'chosen',
          'bq-dataset': 'raw',
          'bq-write-disposition': 'WRITE_TRUNCATE',
          'bq-format': 'NEWLINE_DELIMITED_JSON',
          'bq-partition': '20260101',
        },
      }),
    );
    expect(p.job.configuration.load).toMatchObject({
      destinationTable: { projectId: 'data-proj', datasetId: 'raw', tableId: 'chosen$20260101' },
      writeDisposition: 'WRITE_TRUNCATE',
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
    });
  });

  it('ignores override metadata on a route that does not list it', async () => {
    const p = loadPlan(
      await plan({
        name: 'strict/a.csv',
        metadata: { 'bq-table': 'chosen', 'bq-write-disposition': 'WRITE_TRUNCATE' },
      }),
    );
    expect(p.job.configuration.load).toMatchObject({
      destinationTable: { tableId: 'strict' },
      writeDisposition: 'WRITE_APPEND',
    });
  });

  it.each([
    [{ 'bq-dataset': 'secret' }, /data-proj\.secret\.flex is not in allow\.destinations/],
    [{ 'bq-table': 'a.b' }, /table id "a\.b" is invalid.*\(object metadata bq-table applied\)/],
    [{ 'bq-partition': '2026-01' }, /decorator "\$2026-01" is invalid/],
    [{ 'bq-write-disposition': 'WRITE_SOMETIMES' }, /bq-write-disposition "WRITE_SOMETIMES"/],
    [{ 'bq-format': 'XLSX' }, /bq-format "XLSX"/],
  ])('refuses override metadata %j that breaks the rules', async (metadata, reason) => {
    expect(await plan({ name: 'flex/a.csv', metadata })).toEqual({
      kind: 'refused',
      route: 'flexible',
      reason: expect.stringMatching(reason),
    });
  });

  it('refuses an object whose format cannot be inferred', async () => {
    expect(await plan({ name: 'strict/a.bin' })).toEqual({
      kind: 'refused',
      route: 'strict',
      reason: expect.stringMatching(/cannot infer the format/),
    });
  });

  it('sets the tab delimiter for .tsv under the route options', async () => {
    const p = loadPlan(await plan({ name: 'strict/a.tsv' }));
    expect(p.job.configuration.load).toMatchObject({ sourceFormat: 'CSV', fieldDelimiter: '\t' });
  });

  it('bills and addresses the runtime project when the rules name none', async () => {
    const rules = await rulesFrom(
      'routes:\n  - name: r\n    match: gs://b/**\n    destination: raw.t\n',
    );
    const p = loadPlan(
      planObjectLoad(rules, objectRef({ bucket: 'b' }), { runtimeProject: 'run-proj' }),
    );
    expect(p.projectId).toBe('run-proj');
    expect(p.job.jobReference).toMatchObject({ projectId: 'run-proj', location: 'US' });
    expect(p.job.configuration.load.destinationTable.projectId).toBe('run-proj');
  });

  it('sanitizes the bucket label to BigQuery label rules', async () => {
    const rules = await rulesFrom(
      'routes:\n  - name: r\n    match: gs://My.Bucket/**\n    destination: raw.t\n',
    );
    const p = loadPlan(
      planObjectLoad(rules, objectRef({ bucket: 'My.Bucket' }), { runtimeProject: 'run-proj' }),
    );
    expect(p.job.configuration.labels['bq-autoloader-bucket']).toBe('my_bucket');
  });

  it('lets the first matching route win', async () => {
    const rules = await rulesFrom(`
routes:
  - name: first
    match: gs://b/a/*.csv
    destination: raw.first
  - name: second
    match: gs://b/**
    destination: raw.second
`);
    const decide = (name: string) =>
      planObjectLoad(rules, objectRef({ bucket: 'b', name }), { runtimeProject: 'run-proj' });
    expect(loadPlan(decide('a/x.csv')).route).toBe('first');
    expect(loadPlan(decide('a/x/y.csv')).route).toBe('second');
  });

  describe('snapshot routes', () => {
    const SNAPSHOT_RULES = `
routes:
  - name: snap
    match: gs://b/snap/**
    destination: raw.snap
    snapshot: true
  - name: plain
    match: gs://b/**
    destination: raw.plain
`;

    it('loads a copy of the generation named after the job id, and says how to make it', async () => {
      const rules = await rulesFrom(SNAPSHOT_RULES);
      const object = objectRef({ bucket: 'b', name: 'snap/x.csv', generation: '7' });
      const p = loadPlan(planObjectLoad(rules, object, { runtimeProject: 'run-proj' }));
      const target = `.bq-autoloader/snapshots/${p.jobId}/snap/x.csv`;
      expect(p.jobId).toBe(
        objectJobId({ bucket: 'b', name: 'snap/x.csv', generation: '7', route: 'snap' }),
      );
      expect(p.job.configuration.load.sourceUris).toEqual([`gs://b/${target}`]);
      expect(p.object).toBe('gs://b/snap/x.csv');
      expect(p.snapshot).toEqual({
        source: { bucket: 'b', name: 'snap/x.csv', generation: '7' },
        target: { bucket: 'b', name: target },
      });
    });

    it('is off by default: the object itself is the source', async () => {
      const rules = await rulesFrom(SNAPSHOT_RULES);
      const object = objectRef({ bucket: 'b', name: 'other/x.csv' });
      const p = loadPlan(planObjectLoad(rules, object, { runtimeProject: 'run-proj' }));
      expect(p.job.configuration.load.sourceUris).toEqual(['gs://b/other/x.csv']);
      expect(p).not.toHaveProperty('snapshot');
    });

    it('never routes the snapshot itself', async () => {
      const rules = await rulesFrom(SNAPSHOT_RULES);
      const object = objectRef({
        bucket: 'b',
        name: '.bq-autoloader/snapshots/bqal_snap_x/snap/x.csv',
      });
      expect(planObjectLoad(rules, object, { runtimeProject: 'run-proj' })).toMatchObject({
        kind: 'ignored',
      });
    });

    it('refuses a name whose snapshot name would exceed 1,024 bytes', async () => {
      const rules = await rulesFrom(SNAPSHOT_RULES);
      const object = objectRef({ bucket: 'b', name: `snap/${'n'.repeat(1000)}.csv` });
      expect(planObjectLoad(rules, object, { runtimeProject: 'run-proj' })).toMatchObject({
        kind: 'refused',
        route: 'snap',
        reason: expect.stringContaining('snapshot name would be'),
      });
    });

    it('is refused on a batch route', async () => {
      await expect(
        rulesFrom(
          'routes:\n  - name: r\n    match: gs://b/**\n    destination: raw.t\n    mode: batch\n    snapshot: true\n',
        ),
      ).rejects.toThrow(/snapshot.*per-object/);
    });
  });
});
