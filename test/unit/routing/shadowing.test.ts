import { findShadowedRoutes } from '../../../src/routing/shadowing';
import { rulesFrom } from './rules';

/** Two routes, `earlier` then `later`, as `match` values (string or object form in YAML flow). */
async function shadowed(earlier: string, later: string) {
  const rules = await rulesFrom(
    `routes:\n  - name: earlier\n    match: ${earlier}\n    destination: raw.a\n  - name: later\n    match: ${later}\n    destination: raw.b\n`,
  );
  return findShadowedRoutes(rules);
}

describe('findShadowedRoutes', () => {
  it.each([
    ['gs://b/**', 'gs://b/sales/*.csv'],
    ['gs://b/sales/**', 'gs://b/sales/{region}/x.csv'],
    ['gs://b/sales/**', 'gs://b/sales/**'],
    ['gs://b/{a}/*.csv', 'gs://b/{z}/*.csv'],
    ['gs://b-*/**', 'gs://b-prod/x.csv'],
    ['gs://b/**', "{ bucket: b, regex: '^x' }"],
    ['gs://b/**', '{ uri: gs://b/x.csv, contentType: text/csv }'],
  ])('reports %s before %s', async (earlier, later) => {
    expect(await shadowed(earlier, later)).toEqual([
      { route: 'later', index: 1, shadowedBy: 'earlier' },
    ]);
  });

  // Every pair below can match an object the earlier route does not: no false positives.
  it.each([
    ['gs://b/sales/*.csv', 'gs://b/**'],
    ['gs://b/sales/**', 'gs://b/other/**'],
    ['gs://b/sales/**', 'gs://b/sales2/x.csv'],
    ['gs://b/**', "{ bucket: 'b*', regex: '^x' }"],
    ['gs://b/**', 'gs://c/**'],
    ['gs://b-prod/**', 'gs://b-*/**'],
    ['gs://b/{a}/*.csv', 'gs://b/*/*.csv'],
    ['{ uri: gs://b/**, contentType: text/csv }', 'gs://b/x.csv'],
    ['{ uri: gs://b/**, metadata: { k: v } }', 'gs://b/x.csv'],
  ])('does not report %s before %s', async (earlier, later) => {
    expect(await shadowed(earlier, later)).toEqual([]);
  });
});
