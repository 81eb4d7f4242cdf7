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

describe('findShadowedRoutes at scale', () => {
  /** The pairwise definition: the first earlier route that covers each later one. */
  function pairwise(rules: Awaited<ReturnType<typeof rulesFrom>>) {
    const covers = (a: (typeof rules.routes)[number], b: (typeof rules.routes)[number]) =>
      findShadowedRoutes({ ...rules, routes: [a, { ...b, index: 1 }] }).length > 0;
    return rules.routes.flatMap((later, j) => {
      const earlier = rules.routes.slice(0, j).find((a) => covers(a, later));
      return earlier ? [{ route: later.name, index: later.index, shadowedBy: earlier.name }] : [];
    });
  }

  it('finds what the pairwise definition finds, on a mix of covering and plain routes', async () => {
    const matches = [
      'gs://b/sales/**',
      'gs://b/sales/{r}/*.csv',
      'gs://b/{a}/*.csv',
      'gs://b-*/**',
      'gs://b/x/**',
      'gs://c/sales/*.csv',
      'gs://b/sales/{z}/*.csv',
      'gs://b-prod/x/y.csv',
      'gs://c/**',
      'gs://c/sales/{q}.csv',
    ];
    const routes = matches.map(
      (m, i) => `  - { name: r${i}, match: "${m}", destination: raw.t${i} }`,
    );
    const rules = await rulesFrom(`routes:\n${routes.join('\n')}\n`);
    expect(findShadowedRoutes(rules)).toEqual(pairwise(rules));
    expect(findShadowedRoutes(rules).length).toBeGreaterThan(3);
  });

  it('checks 10,000 distinct routes (it was quadratic)', async () => {
    const routes = Array.from(
      { length: 10_000 },
      (_, i) => `  - { name: r${i}, match: "gs://b/feed${i}/*.csv", destination: raw.t${i % 50} }`,
    );
    const rules = await rulesFrom(`routes:\n${routes.join('\n')}\n`);
    // Pairwise, this took 10 s; `npm run bench` times the whole load (target: under 1 s).
    expect(findShadowedRoutes(rules)).toEqual([]);
  });
});
