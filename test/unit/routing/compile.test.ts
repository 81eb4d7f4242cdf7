import { ConfigError } from '../../../src/config/errors';
import { matchRoute } from '../../../src/routing/match';
import { objectRef, rulesFrom } from './rules';

function route(name: string, match: string, destination: string): string {
  return `  - name: ${name}\n    match: ${match}\n    destination: ${destination}\n`;
}

async function compileError(yaml: string): Promise<ConfigError> {
  const error = await rulesFrom(yaml).catch((e: unknown) => e);
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${error}`);
  return error;
}

describe('compileRules', () => {
  it.each([
    [
      route('a', 'gs://b/{x}.csv', 'raw.{y}'),
      'routes[0].destination',
      /unknown placeholder "\{y\}"/,
    ],
    [route('a', 'gs://b/x.csv', 'raw-data.t'), 'routes[0].destination', /dataset id "raw-data"/],
    [route('a', 'gs://b/x.csv', 'raw.t$2026x'), 'routes[0].destination', /decorator/],
    [route('a', 'gs://b/{x', 'raw.t'), 'routes[0].match', /unclosed/],
    [route('a', 'gs://b/{bucket}/x', 'raw.t'), 'routes[0].match', /clash with built-in/],
    [
      "  - name: a\n    match: { bucket: b, regex: '(unclosed' }\n    destination: raw.t\n",
      'routes[0].match.regex',
      /error parsing regexp: missing closing \)/,
    ],
    [
      "  - name: a\n    match: { uri: 'gs://b/{' }\n    destination: raw.t\n",
      'routes[0].match.uri',
      /unclosed/,
    ],
  ])('names the path of a problem (%#)', async (routes, path, message) => {
    const error = await compileError(`routes:\n${route('ok', 'gs://b/ok', 'raw.ok')}${routes}`);
    expect(error.issues).toEqual([
      { path: path.replace('[0]', '[1]'), message: expect.stringMatching(message) },
    ]);
    expect(error.message).toMatch(/^rules\.yaml: routes\[1\]/);
  });

  it('lists every problem of every route at once', async () => {
    const error = await compileError(
      `routes:\n${route('a', 'gs://b/x', 'raw.{nope}')}${route('b', 'gs://b/y', 'bad-ds.t')}`,
    );
    expect(error.issues.map((i) => i.path)).toEqual([
      'routes[0].destination',
      'routes[1].destination',
    ]);
  });

  it('offers regex named groups as captures', async () => {
    const rules = await rulesFrom(
      "routes:\n  - name: a\n    match: { bucket: 'b-*', regex: '^(?<y>\\d{4})/' }\n    destination: raw.t_{y}\n",
    );
    const found = matchRoute(rules, objectRef({ bucket: 'b-1', name: '2026/x.csv' }));
    expect(found?.captures).toEqual({ y: '2026' });
  });

  it('requires every metadata condition of the object form', async () => {
    const rules = await rulesFrom(
      'routes:\n  - name: a\n    match: { uri: gs://b/**, metadata: { team: sales } }\n    destination: raw.t\n',
    );
    expect(
      matchRoute(rules, objectRef({ bucket: 'b', metadata: { team: 'sales' } })),
    ).toBeDefined();
    expect(
      matchRoute(rules, objectRef({ bucket: 'b', metadata: { team: 'ops' } })),
    ).toBeUndefined();
  });
});

describe('matchRoute with many routes', () => {
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      route(`r${i}`, `gs://bucket-${i}/in/{x}/*.csv`, `raw.t${i}`),
    ).join('');

  it('keeps first-match-wins order across prefixes of different lengths', async () => {
    const rules = await rulesFrom(
      `routes:\n${many(50)}${route('late', 'gs://bucket-7/in/**', 'raw.late')}`.replace(
        'routes:\n',
        `routes:\n${route('catchall', 'gs://bucket-7*/**', 'raw.all')}`,
      ),
    );
    expect(
      matchRoute(rules, objectRef({ bucket: 'bucket-7', name: 'in/a/b.csv' }))?.route.name,
    ).toBe('catchall');
  });

  it.each([
    [
      'literal buckets',
      (i: number) => `gs://bucket-${i}/in/{x}/*.csv`,
      'bucket-500',
      'in/eu/a.csv',
    ],
    [
      'one bucket glob',
      (i: number) => `gs://bucket-*/in${i}/{x}/*.csv`,
      'bucket-z',
      'in500/eu/a.csv',
    ],
    [
      'regexes',
      (i: number) => `{ bucket: b, regex: '^in${i}/(?<x>[a-z]+)/' }`,
      'b',
      'in500/eu/a.csv',
    ],
  ])(
    'tries only the routes that can match among 1,000 with %s',
    async (_what, match, bucket, name) => {
      const routes = Array.from({ length: 1000 }, (_, i) => route(`r${i}`, match(i), `raw.t${i}`));
      const rules = await rulesFrom(`routes:\n${routes.join('')}`);
      let tried = 0;
      for (const r of rules.routes) {
        const inner = r.match;
        r.match = (o) => {
          tried += 1;
          return inner(o);
        };
      }
      const found = matchRoute(rules, objectRef({ bucket, name }));
      expect(found?.route.name).toBe('r500');
      expect(found?.captures).toEqual({ x: 'eu' });
      expect(tried).toBe(1);
    },
  );
});
