/** Pure routing of requests: topic allowlist, `accepts`, named routes, same job ids as events. */
import { planObjectLoad } from '../../../src/routing/plan';
import {
  planRequestedObject,
  rulesAccepting,
  topicProblem,
} from '../../../src/routing/request-plan';
import { objectRef, rulesFrom } from '../routing/rules';

const RULES = `
project: p
allow:
  buckets: [landing]
  topics: [projects/p/topics/ingest-*, projects/p/topics/exact]
routes:
  - name: objects-only
    match: gs://landing/sales/eu/**
    destination: raw.eu_only
  - name: sales
    match: gs://landing/sales/{region}/**
    destination: raw.sales_{region}
    accepts: [object, request]
  - name: batched
    match: gs://landing/batched/*.csv
    destination: raw.batched
    mode: batch
    accepts: [object, request]
  - name: requests-only
    match: gs://landing/adhoc/*.csv
    destination: raw.adhoc
    accepts: [request]
`;
const ctx = { runtimeProject: 'runtime' };

describe('topicProblem', () => {
  it.each([
    ['projects/p/topics/ingest-a', undefined],
    ['projects/p/topics/exact', undefined],
    ['projects/p/topics/other', 'not in allow.topics'],
    ['projects/q/topics/ingest-a', 'not in allow.topics'],
    // `*` stays within one segment.
    ['projects/p/topics/ingest-a/x', 'not in allow.topics'],
    [undefined, 'source topic is unknown'],
  ])('%s → %s', async (topic, problem) => {
    const rules = await rulesFrom(RULES);
    const answer = topicProblem(rules, topic);
    if (problem === undefined) expect(answer).toBeUndefined();
    else expect(answer).toContain(problem);
  });

  it('refuses every topic when allow.topics is not set', async () => {
    const rules = await rulesFrom(
      'routes:\n  - name: a\n    match: gs://b/*\n    destination: d.t\n',
    );
    expect(topicProblem(rules, 'projects/p/topics/t')).toContain('allow.topics is not set');
  });
});

describe('planRequestedObject', () => {
  it('skips routes that do not accept requests and gives the job id a finalize event would get', async () => {
    const rules = await rulesFrom(RULES);
    const object = objectRef({ name: 'sales/eu/a.csv' });
    const requested = planRequestedObject(rules, object, undefined, ctx);
    expect(requested).toMatchObject({ kind: 'load', plan: { route: 'sales' } });
    // A finalize event for the same object goes to the first route (objects only)...
    const event = planObjectLoad(rulesAccepting(rules, 'object'), object, ctx);
    expect(event).toMatchObject({ kind: 'load', plan: { route: 'objects-only' } });
    // ...and with the same route the ids agree, so a loaded object is a duplicate.
    const viaSales = planObjectLoad(rulesAccepting(rules, 'object', 'sales'), object, ctx);
    expect(requested.kind === 'load' && viaSales.kind === 'load').toBe(true);
    if (requested.kind === 'load' && viaSales.kind === 'load') {
      expect(requested.plan.jobId).toBe(viaSales.plan.jobId);
    }
  });

  it.each([
    {
      name: 'an unknown route',
      route: 'nope',
      object: 'sales/us/a.csv',
      reason: 'no route named "nope"',
    },
    {
      name: 'a route without requests',
      route: 'objects-only',
      object: 'sales/eu/a.csv',
      reason: 'does not accept request',
    },
    {
      name: 'a route the object does not match',
      route: 'requests-only',
      object: 'sales/us/a.csv',
      reason: 'does not match route "requests-only"',
    },
    {
      name: 'no matching route',
      route: undefined,
      object: 'elsewhere/a.csv',
      reason: 'no route that accepts requests matches',
    },
  ])('refuses $name', async ({ route, object, reason }) => {
    const rules = await rulesFrom(RULES);
    const decision = planRequestedObject(rules, objectRef({ name: object }), route, ctx);
    expect(decision.kind).toBe('refused');
    expect(decision.kind === 'refused' && decision.reason).toContain(reason);
  });

  it('refuses an object of a batch route: sweeps load those, under other job ids', async () => {
    const rules = await rulesFrom(RULES);
    const decision = planRequestedObject(
      rules,
      objectRef({ name: 'batched/a.csv' }),
      undefined,
      ctx,
    );
    expect(decision).toMatchObject({ kind: 'refused', route: 'batched' });
    expect(decision.kind === 'refused' && decision.reason).toContain('batch route');
  });

  it('refuses a bucket outside allow.buckets before routing', async () => {
    const rules = await rulesFrom(RULES);
    const decision = planRequestedObject(
      rules,
      objectRef({ bucket: 'secret', name: 'adhoc/a.csv' }),
      undefined,
      ctx,
    );
    expect(decision).toMatchObject({
      kind: 'refused',
      reason: 'bucket "secret" is not in allow.buckets',
    });
  });

  it('leaves a route that accepts only requests out of object events', async () => {
    const rules = await rulesFrom(RULES);
    const decision = planObjectLoad(
      rulesAccepting(rules, 'object'),
      objectRef({ name: 'adhoc/a.csv' }),
      ctx,
    );
    expect(decision.kind).toBe('ignored');
  });
});
