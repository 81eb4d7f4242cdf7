/**
 * The event path's part in exactly-once, through the handler with fake edges: batch routes
 * are left to sweeps, per-object loads are claimed before their insert, sweep commands are
 * dispatched.
 */
import { parseConfig } from '../../../src/config/parse';
import { PermanentError, RetryableError } from '../../../src/errors';
import type { Marker, MarkerTarget } from '../../../src/gcp/storage/markers';
import { setLogSink } from '../../../src/log';
import { createHandler, type HandlerDeps } from '../../../src/pipeline/handler';
import { compileRules } from '../../../src/routing/compile';
import { SweepCommandError } from '../../../src/sweep/run';
import { emptySummary } from '../../../src/sweep/summary';
import type { LoadPlan, SweepCommand } from '../../../src/types';

const rules = compileRules(
  parseConfig(
    `routes:
  - { name: sales, match: "gs://landing/sales/*.csv", destination: raw.sales, schema: autodetect }
  - { name: events, match: "gs://landing/events/*.ndjson", destination: raw.events, schema: autodetect, mode: batch }
`,
    'test.yaml',
  ) as Parameters<typeof compileRules>[0],
);

function finalizeEvent(name: string, metageneration?: string) {
  return {
    specversion: '1.0',
    id: `evt-${name}`,
    type: 'google.cloud.storage.object.v1.finalized',
    source: '//storage.googleapis.com/projects/_/buckets/landing',
    subject: `objects/${name}`,
    data: {
      bucket: 'landing',
      name,
      generation: '7',
      size: '10',
      ...(metageneration ? { metageneration } : {}),
    },
  };
}

function sweepEvent(command: Record<string, unknown>) {
  return {
    specversion: '1.0',
    id: 'tick',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/p/topics/sweeps',
    data: { message: { data: Buffer.from(JSON.stringify(command)).toString('base64') } },
  };
}

function setup(overrides: Partial<HandlerDeps> = {}) {
  const lines: Record<string, unknown>[] = [];
  setLogSink((line) => lines.push(JSON.parse(line)));
  const inserted: LoadPlan[] = [];
  const marks: [MarkerTarget, Marker][] = [];
  const commands: SweepCommand[] = [];
  const deps: HandlerDeps = {
    rules: async () => rules,
    runtimeProject: async () => 'proj',
    insertJob: async (plan) => {
      inserted.push(plan);
      return { outcome: 'submitted', job: {} };
    },
    getLiveObject: async (bucket, name) => ({
      bucket,
      name,
      generation: '7',
      size: 10,
      metadata: {},
      metageneration: '4',
    }),
    markers: {
      write: async (target, marker) => {
        marks.push([target, marker]);
        return { kind: 'written', metageneration: String(Number(target.metageneration) + 1) };
      },
    },
    sweep: async (command) => {
      commands.push(command);
      return { ...emptySummary(command.dryRun, ['events']), planned: 2, submitted: 2 };
    },
    ...overrides,
  };
  return { handler: createHandler(deps), lines, inserted, marks, commands };
}

describe('the event path with sweeps', () => {
  it('acknowledges a batch route object as ignored, loaded by sweep, without a job', async () => {
    const { handler, lines, inserted, marks } = setup();
    await handler(finalizeEvent('events/a.ndjson', '1'));
    expect(inserted).toEqual([]);
    expect(marks).toEqual([]);
    expect(lines.find((l) => l.outcome)).toMatchObject({
      outcome: 'ignored',
      reason: 'loaded by sweep',
      route: 'events',
    });
  });

  it.each([
    ['the event’s metageneration', '1', '1'],
    ['the metageneration read from Cloud Storage when the event has none', undefined, '4'],
  ])(
    'claims a per-object load with its job id before the insert, pinned to %s',
    async (_what, given, used) => {
      const { handler, inserted, marks, lines } = setup({
        insertJob: async (plan) => {
          // The claim is on the object before BigQuery hears of the job.
          expect(marks).toHaveLength(1);
          inserted.push(plan);
          return { outcome: 'submitted', job: {} };
        },
      });
      await handler(finalizeEvent('sales/a.csv', given));
      expect(marks).toEqual([
        [
          { bucket: 'landing', name: 'sales/a.csv', generation: '7', metageneration: used },
          { jobId: inserted[0]?.jobId, state: 'claimed' },
        ],
      ]);
      expect(lines.find((l) => l.outcome)).toMatchObject({
        outcome: 'submitted',
        claim: 'claimed',
      });
    },
  );

  it('recognizes its own earlier claim on a redelivery and lets BigQuery answer duplicate', async () => {
    let claimedBy = '';
    const { handler, inserted, lines } = setup({
      markers: {
        write: async (_target, marker) => {
          claimedBy = marker.jobId;
          return { kind: 'conflict' };
        },
      },
      getLiveObject: async (bucket, name) => ({
        ...{ bucket, name, generation: '7', size: 10, metageneration: '2' },
        metadata: { 'bq-autoloader-job': claimedBy, 'bq-autoloader-state': 'claimed' },
      }),
      insertJob: async (plan) => {
        inserted.push(plan);
        return { outcome: 'duplicate', job: {} };
      },
    });
    await handler(finalizeEvent('sales/b.csv', '1'));
    expect(inserted).toHaveLength(1);
    expect(lines.find((l) => l.outcome)).toMatchObject({
      outcome: 'duplicate',
      claim: 'already claimed',
    });
  });

  it('refuses an event whose generation was overwritten, without a job (412, newer live)', async () => {
    const { handler, inserted, lines } = setup({
      markers: { write: async () => ({ kind: 'conflict' }) },
      getLiveObject: async (bucket, name) => ({
        ...{ bucket, name, generation: '8', size: 10, metageneration: '1' },
        metadata: {},
      }),
    });
    await expect(handler(finalizeEvent('sales/c.csv', '1'))).resolves.toBeUndefined();
    expect(inserted).toEqual([]);
    expect(lines.find((l) => l.outcome)).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('generation 7 is no longer the live one'),
    });
  });

  it('refuses a generation another job already claimed', async () => {
    const { handler, inserted, lines } = setup({
      markers: { write: async () => ({ kind: 'conflict' }) },
      getLiveObject: async (bucket, name) => ({
        ...{ bucket, name, generation: '7', size: 10, metageneration: '2' },
        metadata: { 'bq-autoloader-job': 'bqal_other_1', 'bq-autoloader-state': 'submitted' },
      }),
    });
    await handler(finalizeEvent('sales/d.csv', '1'));
    expect(inserted).toEqual([]);
    expect(lines.find((l) => l.outcome)).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('already claimed by job bqal_other_1'),
    });
  });

  it('claims again after an unrelated metadata edit moved the metageneration', async () => {
    const { handler, marks, inserted } = setup({
      markers: {
        write: async (target, marker) => {
          marks.push([target, marker]);
          return target.metageneration === '1'
            ? { kind: 'conflict' }
            : { kind: 'written', metageneration: '3' };
        },
      },
    });
    await handler(finalizeEvent('sales/e.csv', '1'));
    expect(marks.map(([t]) => t.metageneration)).toEqual(['1', '4']);
    expect(inserted).toHaveLength(1);
  });

  it('redelivers when the claim cannot be written: nothing is loaded unclaimed', async () => {
    const { handler, inserted, lines } = setup({
      markers: {
        write: async () => {
          throw new RetryableError('Cloud Storage: HTTP 503', { status: 503 });
        },
      },
    });
    await expect(handler(finalizeEvent('sales/f.csv', '1'))).rejects.toThrow('503');
    expect(inserted).toEqual([]);
    expect(lines.find((l) => l.outcome)).toMatchObject({ outcome: 'retry', route: 'sales' });
  });

  it('refuses an object whose claim Cloud Storage forbids, saying which role the bucket needs', async () => {
    const { handler, inserted, lines } = setup({
      markers: {
        write: async () => {
          throw new PermanentError('Cloud Storage gs://landing/sales/x.csv#7: HTTP 403', {
            status: 403,
          });
        },
      },
    });
    await expect(handler(finalizeEvent('sales/x.csv', '1'))).resolves.toBeUndefined();
    expect(inserted).toEqual([]);
    expect(lines.find((l) => l.outcome)).toMatchObject({
      outcome: 'refused',
      severity: 'ERROR',
      reason: expect.stringContaining('needs roles/storage.objectUser on bucket landing'),
    });
  });

  it('submits without a claim when markers are off', async () => {
    const { handler, inserted, lines } = setup({ markers: undefined });
    await handler(finalizeEvent('sales/g.csv', '1'));
    expect(inserted).toHaveLength(1);
    expect(lines.find((l) => l.outcome)).toMatchObject({ outcome: 'submitted', claim: 'off' });
  });

  it('dispatches a sweep command and logs its summary in one line', async () => {
    const { handler, commands, lines } = setup();
    await handler(sweepEvent({ kind: 'sweep', routes: ['events'], dryRun: true }));
    expect(commands).toEqual([{ routes: ['events'], minAgeSeconds: 300, dryRun: true }]);
    expect(lines.filter((l) => l.outcome)).toEqual([
      expect.objectContaining({ message: 'sweep planned', planned: 2, routes: ['events'] }),
    ]);
  });

  it('logs a sweep that skipped a refused prefix at ERROR, and acknowledges it', async () => {
    const { handler, lines } = setup({
      sweep: async (command) => ({
        ...emptySummary(command.dryRun, ['events']),
        skipped: ['Cloud Storage list gs://other/events/: HTTP 403'],
      }),
    });
    await expect(handler(sweepEvent({ kind: 'sweep' }))).resolves.toBeUndefined();
    expect(lines.find((l) => l.outcome)).toMatchObject({
      severity: 'ERROR',
      skipped: ['Cloud Storage list gs://other/events/: HTTP 403'],
    });
  });

  it('refuses a sweep naming an unknown route, without redelivery', async () => {
    const { handler, lines } = setup({
      sweep: async () => {
        throw new SweepCommandError('sweep names unknown routes: nope', { reason: 'invalid' });
      },
    });
    await expect(handler(sweepEvent({ kind: 'sweep', routes: ['nope'] }))).resolves.toBeUndefined();
    expect(lines.find((l) => l.outcome)).toMatchObject({ outcome: 'refused' });
  });

  it('acknowledges a sweep that failed permanently, with one error line', async () => {
    const { handler, lines } = setup({
      sweep: async () => {
        throw new PermanentError('Cloud Storage list gs://landing/events/: HTTP 403');
      },
    });
    await expect(handler(sweepEvent({ kind: 'sweep' }))).resolves.toBeUndefined();
    expect(lines.filter((l) => l.outcome)).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        severity: 'ERROR',
        reason: expect.stringContaining('403'),
      }),
    ]);
  });

  it('redelivers a sweep that failed unexpectedly', async () => {
    const { handler, lines } = setup({
      sweep: async () => {
        throw new Error('boom');
      },
    });
    await expect(handler(sweepEvent({ kind: 'sweep' }))).rejects.toThrow('boom');
    expect(lines.find((l) => l.outcome)).toMatchObject({ outcome: 'retry' });
  });
});
