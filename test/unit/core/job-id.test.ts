import { objectJobId } from '../../../src/core/job-id';

const key = { bucket: 'b', name: 'sales/a.csv', generation: '1764324000000001', route: 'sales' };

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
