import {
  attemptJobId,
  attemptOf,
  batchJobId,
  inlineJobId,
  isBatchJobIdOf,
  objectJobId,
  reloadJobId,
  sortMembers,
} from '../../../src/core/job-id';

const key = { bucket: 'b', name: 'sales/a.csv', generation: '1764324000000001', route: 'sales' };

describe('reloadJobId', () => {
  const uris = ['gs://b/a.csv', 'gs://b/c.csv'];
  it('is the same for the same failed job and sources in any order, and valid for BigQuery', () => {
    const id = reloadJobId('feed', 'bqal_feed_batch_1', uris);
    expect(id).toBe(reloadJobId('feed', 'bqal_feed_batch_1', [...uris].reverse()));
    expect(id).toMatch(/^bqal_feed_reload_[0-9a-f]{64}$/);
  });

  it('differs with the failed job, the sources, or how the names split', () => {
    const id = reloadJobId('feed', 'bqal_feed_batch_1', uris);
    expect(reloadJobId('feed', 'bqal_feed_batch_2', uris)).not.toBe(id);
    expect(reloadJobId('feed', 'bqal_feed_batch_1', ['gs://b/a.csv'])).not.toBe(id);
    expect(reloadJobId('feed', 'bqal_feed_batch_1', ['gs://b/a.csv\ngs://b/c.csv'])).not.toBe(id);
  });
});

describe('objectJobId', () => {
  it('is deterministic, readable and valid for BigQuery', () => {
    const id = objectJobId(key);
    expect(id).toBe(objectJobId({ ...key }));
    expect(id).toMatch(/^bqal_sales_[0-9a-f]{64}$/);
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,1024}$/);
  });

  it.each([
    ['another generation', { generation: '1764324000000002' }],
    ['another route', { route: 'sales2' }],
    ['another bucket', { bucket: 'c' }],
    ['another name', { name: 'sales/b.csv' }],
  ])('changes with %s', (_what, change) => {
    expect(objectJobId({ ...key, ...change })).not.toBe(objectJobId(key));
  });

  it.each([
    [
      { bucket: 'a', name: 'b/c', generation: '1', route: 'r' },
      { bucket: 'a/b', name: 'c', generation: '1', route: 'r' },
    ],
    [
      { bucket: 'a', name: 'x1', generation: '2', route: 'r' },
      { bucket: 'a', name: 'x', generation: '12', route: 'r' },
    ],
    [
      { bucket: 'a', name: 'x","1', generation: '2', route: 'r' },
      { bucket: 'a', name: 'x', generation: '1","2', route: 'r' },
    ],
  ])('does not collide when separators move between fields (%#)', (a, b) => {
    expect(objectJobId(a)).not.toBe(objectJobId(b));
  });
});

describe('inlineJobId', () => {
  it('is the same for a redelivered message and differs by topic, message and route', () => {
    const id = inlineJobId('projects/p/topics/t', '42', 'events');
    expect(id).toMatch(/^bqal_events_inline_[0-9a-f]{64}$/);
    expect(inlineJobId('projects/p/topics/t', '42', 'events')).toBe(id);
    expect(inlineJobId('projects/p/topics/u', '42', 'events')).not.toBe(id);
    expect(inlineJobId('projects/p/topics/t', '43', 'events')).not.toBe(id);
    expect(inlineJobId('projects/p/topics/t', '42', 'other')).not.toBe(id);
  });
});

const member = (name: string, size = 10, generation = '1') => ({
  bucket: 'landing',
  name,
  generation,
  size,
});

describe('batchJobId', () => {
  it('depends on the member set, not on its order', () => {
    const a = [member('events/2026/a.ndjson'), member('events/2026/b.ndjson')];
    expect(batchJobId('events', a)).toBe(batchJobId('events', [...a].reverse()));
  });

  it.each([
    [
      'another member',
      [member('events/2026/a.ndjson'), member('events/2026/c.ndjson')],
      'events',
      '',
    ],
    [
      'another generation',
      [member('events/2026/a.ndjson'), member('events/2026/b.ndjson', 10, '2')],
      'events',
      '',
    ],
    [
      'another route',
      [member('events/2026/a.ndjson'), member('events/2026/b.ndjson')],
      'other',
      '',
    ],
    [
      'another claim token',
      [member('events/2026/a.ndjson'), member('events/2026/b.ndjson')],
      'events',
      'run-2',
    ],
  ])('changes with %s', (_what, members, route, token) => {
    const base = batchJobId('events', [
      member('events/2026/a.ndjson'),
      member('events/2026/b.ndjson'),
    ]);
    expect(batchJobId(route, members, token)).not.toBe(base);
  });

  it('cannot be confused by names that contain the separators', () => {
    expect(batchJobId('r', [member('a\n"b'), member('c')])).not.toBe(
      batchJobId('r', [member('a'), member('"b\nc')]),
    );
  });

  it('is a valid BigQuery job id that names the route', () => {
    expect(batchJobId('my-route', [member('x')])).toMatch(/^bqal_my-route_batch_[0-9a-f]{64}$/);
  });
});

describe('sortMembers', () => {
  it('orders by bucket, then name, then generation', () => {
    const m = (bucket: string, name: string, generation: string) => ({ bucket, name, generation });
    const sorted = sortMembers([
      m('b', 'x', '2'),
      m('a', 'y', '1'),
      m('b', 'x', '1'),
      m('a', 'x', '9'),
    ]);
    expect(sorted).toEqual([
      m('a', 'x', '9'),
      m('a', 'y', '1'),
      m('b', 'x', '1'),
      m('b', 'x', '2'),
    ]);
  });
});

/**
 * Ids of loads already submitted must never change: a changed id would load a redelivered
 * event a second time. These are the ids the first release computed.
 */
describe('job ids are stable across releases', () => {
  const m = (name: string, generation = '1') => ({ bucket: 'b', name, generation, size: 1 });

  it.each([
    [
      'an object',
      () =>
        objectJobId({
          bucket: 'b',
          name: 'sales/a.csv',
          generation: '1764324000000001',
          route: 'sales.eu',
        }),
      'bqal_sales_eu_5cbdac1cde774894322d19207f39b7db1cd08f70e38bf3647ec91a76bfbe29ce',
    ],
    [
      'an inline message',
      () => inlineJobId('projects/p/topics/t', '42', 'events'),
      'bqal_events_inline_807604f8d3b376a8278143a27f9a4be756d794cdbc401551a7cf5e0738de3a2f',
    ],
    [
      'a batch with a claim token',
      () => batchJobId('events', [m('b.csv'), m('a.csv', '2')], 'run-1'),
      'bqal_events_batch_dd94e221148b06d0837c4f12b4455a059806346d5099810a35035aa93f7f2c37',
    ],
    [
      'a batch without a claim token',
      () => batchJobId('events', [m('x')]),
      'bqal_events_batch_899dba56e9bbbfbaaed6d9049c32083d53eda586af6df0c0caa84e084235b832',
    ],
  ])('%s', (_what, id, expected) => {
    expect(id()).toBe(expected);
  });
});

describe('attempts', () => {
  const first = objectJobId(key);

  it('attempt 1 is the plain id; later attempts carry _a<n> and read back', () => {
    expect(attemptJobId(first, 1)).toBe(first);
    expect(attemptJobId(first, 2)).toBe(`${first}_a2`);
    expect(attemptOf(first, first)).toBe(1);
    expect(attemptOf(`${first}_a2`, first)).toBe(2);
    expect(attemptOf(`${first}_a17`, first)).toBe(17);
  });

  it('nothing else is an attempt: other ids, _a1, _a0, leading zeros, suffix junk', () => {
    const other = objectJobId({ ...key, generation: '2' });
    for (const id of [
      other,
      `${other}_a2`,
      `${first}_a1`,
      `${first}_a0`,
      `${first}_a02`,
      `${first}_a2x`,
      `${first}_a`,
      `${first}_a2_a3`,
    ]) {
      expect(attemptOf(id, first)).toBeUndefined();
    }
    // An attempt id is never the plain id of another load: plain ids end in 64 hex digits.
    expect(`${first}_a2`).not.toMatch(/_[0-9a-f]{64}$/);
  });

  it('tells a batch id of a route from other ids', () => {
    const batch = batchJobId('sales', [key], 'token');
    expect(isBatchJobIdOf(batch, 'sales')).toBe(true);
    expect(isBatchJobIdOf(batch, 'sales2')).toBe(false);
    expect(isBatchJobIdOf(first, 'sales')).toBe(false);
    expect(isBatchJobIdOf(`${batch}_a2`, 'sales')).toBe(false);
    expect(isBatchJobIdOf(reloadJobId('sales', batch, ['gs://b/x']), 'sales')).toBe(true);
    expect(isBatchJobIdOf(inlineJobId('t', 'm', 'sales'), 'sales')).toBe(false);
  });
});
