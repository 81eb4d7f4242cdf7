import { batchJobId } from '../../../src/core/job-id';
import { type BatchMember, batchGroupKey, planBatchLoad } from '../../../src/routing/batch-plan';
import { planObjectLoad, resolveObjectLoad } from '../../../src/routing/plan';
import { objectRef, rulesFrom } from './rules';

const RULES = `
routes:
  - name: events
    match: gs://landing/events/{yyyy}/*.ndjson
    destination: raw.events_{yyyy}
    load: { ignoreUnknownValues: true }
    schema: autodetect
    mode: batch
`;

const member = (name: string, size = 10, generation = '1'): BatchMember => ({
  bucket: 'landing',
  name,
  generation,
  size,
});

describe('planBatchLoad', () => {
  it('loads every member with exactly the options a per-object load of one member would use', async () => {
    const rules = await rulesFrom(RULES);
    const objects = ['events/2026/b.ndjson', 'events/2026/a.ndjson'].map((name) =>
      objectRef({ name }),
    );
    const target = resolveObjectLoad(rules, objects[0] ?? objectRef(), { runtimeProject: 'p' });
    if (target.kind !== 'target') throw new Error(target.reason);
    const single = planObjectLoad(rules, objects[0] ?? objectRef(), { runtimeProject: 'p' });
    if (single.kind !== 'load') throw new Error(single.reason);

    const plan = planBatchLoad(target, objects);

    const { sourceUris, ...options } = plan.job.configuration.load;
    const { sourceUris: _one, ...singleOptions } = single.plan.job.configuration.load;
    expect(options).toEqual(singleOptions);
    expect(sourceUris).toEqual([
      'gs://landing/events/2026/a.ndjson',
      'gs://landing/events/2026/b.ndjson',
    ]);
    expect(plan.jobId).toBe(batchJobId('events', objects));
    expect(plan.job.jobReference).toEqual({ projectId: 'p', jobId: plan.jobId, location: 'US' });
    expect(plan.object).toBe('gs://landing/events/2026/a.ndjson (+1 more)');
  });

  it('keeps a recovered job id', async () => {
    const rules = await rulesFrom(RULES);
    const target = resolveObjectLoad(rules, objectRef({ name: 'events/2026/a.ndjson' }), {
      runtimeProject: 'p',
    });
    if (target.kind !== 'target') throw new Error(target.reason);
    expect(planBatchLoad(target, [member('events/2026/a.ndjson')], 'bqal_x').jobId).toBe('bqal_x');
  });

  it('groups objects by rendered destination', async () => {
    const rules = await rulesFrom(RULES);
    const key = (name: string) => {
      const t = resolveObjectLoad(rules, objectRef({ name }), { runtimeProject: 'p' });
      if (t.kind !== 'target') throw new Error(t.reason);
      return batchGroupKey(t);
    };
    expect(key('events/2026/a.ndjson')).toBe(key('events/2026/b.ndjson'));
    expect(key('events/2026/a.ndjson')).not.toBe(key('events/2025/a.ndjson'));
  });
});
