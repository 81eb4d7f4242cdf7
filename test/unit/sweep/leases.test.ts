/**
 * Bucket leases in a sweep run: a lease Cloud Storage refuses for good skips its bucket
 * (reported in `skipped`) and the sweep goes on with the others, like a refused listing; a
 * retryable failure still stops the run.
 */
import { parseConfig } from '../../../src/config/parse';
import { PermanentError, RetryableError } from '../../../src/errors';
import type { Lease, LeaseStore } from '../../../src/gcp/storage/lease';
import type { ListedObject, ObjectLister } from '../../../src/gcp/storage/listing';
import type { MarkResult } from '../../../src/gcp/storage/markers';
import { compileRules } from '../../../src/routing/compile';
import { runSweep, type SweepDeps } from '../../../src/sweep/run';
import type { LoadPlan } from '../../../src/types';

const rules = compileRules(
  parseConfig(
    `routes:
  - { name: first, match: "gs://locked/first/*.ndjson", destination: raw.first, schema: autodetect, mode: batch }
  - { name: second, match: "gs://open/second/*.ndjson", destination: raw.second, schema: autodetect, mode: batch }
`,
    'test.yaml',
  ) as Parameters<typeof compileRules>[0],
);

function listed(bucket: string, name: string): ListedObject {
  return {
    bucket,
    name,
    generation: '7',
    metageneration: '1',
    size: 10,
    metadata: {},
    timeCreated: '2026-11-28T10:00:00Z',
    updated: '2026-11-28T10:00:00Z',
  };
}

function setup(leases: LeaseStore) {
  const inserted: LoadPlan[] = [];
  const lister: ObjectLister = {
    listObjects: async function* (bucket, prefix) {
      yield [listed(bucket, `${prefix}a.ndjson`)];
    },
    listBuckets: async function* () {},
  };
  const deps: SweepDeps = {
    rules,
    runtimeProject: 'proj',
    lister,
    leases,
    markers: {
      write: async (): Promise<MarkResult> => ({ kind: 'written', metageneration: '2' }),
    },
    insertJob: async (plan) => {
      inserted.push(plan);
      return { outcome: 'submitted' };
    },
    findJob: async () => undefined,
    now: () => Date.parse('2026-11-28T12:00:00Z'),
    runToken: 'run1',
  };
  return { deps, inserted };
}

const held = (bucket: string) => ({ kind: 'held', lease: { bucket, generation: '1' } }) as const;
const forbidden = new PermanentError(
  'Cloud Storage write gs://locked/.bq-autoloader/sweep.lease: HTTP 403',
);

describe('a sweep whose bucket lease Cloud Storage refuses', () => {
  it('skips that bucket, says why, and sweeps the others', async () => {
    const { deps, inserted } = setup({
      acquire: async (bucket) => {
        if (bucket === 'locked') throw forbidden;
        return held(bucket);
      },
      release: async () => {},
    });
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(summary.error).toBeUndefined();
    expect(summary.skipped).toEqual([`gs://locked: sweep lease refused: ${forbidden.message}`]);
    expect(inserted.map((p) => p.job.configuration.load.sourceUris)).toEqual([
      ['gs://open/second/a.ndjson'],
    ]);
  });

  it('reports a lease it may not give back (a retention policy) and still finishes the run', async () => {
    const retained = new PermanentError(
      'Cloud Storage gs://open/.bq-autoloader/sweep.lease: HTTP 403 retentionPolicyNotMet',
    );
    const released: Lease[] = [];
    const { deps, inserted } = setup({
      acquire: async (bucket) => held(bucket),
      release: async (lease) => {
        released.push(lease);
        if (lease.bucket === 'open') throw retained;
      },
    });
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(summary.error).toBeUndefined();
    expect(inserted).toHaveLength(2);
    expect(released.map((l) => l.bucket).sort()).toEqual(['locked', 'open']);
    expect(summary.skipped).toEqual([`gs://open: sweep lease not given back: ${retained.message}`]);
  });

  it('stops on a retryable lease failure, as on a retryable listing', async () => {
    const unavailable = new RetryableError('Cloud Storage write: HTTP 503');
    const { deps, inserted } = setup({
      acquire: async () => {
        throw unavailable;
      },
      release: async () => {},
    });
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(summary.error).toBe(unavailable.message);
    expect(summary.skipped).toBeUndefined();
    expect(inserted).toEqual([]);
  });
});
