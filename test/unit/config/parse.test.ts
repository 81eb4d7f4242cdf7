import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/parse';
import { problems } from './problems';

const FIXTURES = join(__dirname, '../../fixtures/config');
const ROUTE = 'name: r\n    match: gs://b/x.csv\n    destination: raw.t';

/** One route whose YAML gets `extra` lines appended (indented under the route). */
function withRoute(extra: string, top = ''): string {
  return `${top}routes:\n  - ${ROUTE}\n${extra
    .split('\n')
    .filter(Boolean)
    .map((l) => `    ${l}`)
    .join('\n')}\n`;
}

describe('parseConfig', () => {
  it('reads the complete example', () => {
    const config = parseConfig(readFileSync(join(FIXTURES, 'full.yaml'), 'utf8'), 'full.yaml');
    expect(config.location).toBe('EU');
    expect(config.routes.map((r) => r.name)).toEqual(['sales', 'events', 'typed']);
    expect(config.routes[2]?.match).toMatchObject({
      bucket: 'landing-prod',
      metadata: { source: 'erp' },
    });
  });

  it('reads JSON and defaults the location to US', () => {
    const config = parseConfig(
      JSON.stringify({ routes: [{ name: 'r', match: 'gs://b/x', destination: 'raw.t' }] }),
      'rules.json',
    );
    expect(config).toEqual({
      location: 'US',
      routes: [{ name: 'r', match: 'gs://b/x', destination: 'raw.t' }],
    });
  });

  it('reads a .json file without loading the YAML parser', () => {
    jest.isolateModules(() => {
      jest.doMock('yaml', () => {
        throw new Error('the YAML parser was loaded');
      });
      const isolated =
        require('../../../src/config/parse') as typeof import('../../../src/config/parse');
      const text = JSON.stringify({
        routes: [{ name: 'r', match: 'gs://b/x', destination: 'raw.t' }],
      });
      expect(isolated.parseConfig(text, 'gs://b/rules/autoloader.json').routes).toHaveLength(1);
      expect(() => isolated.parseConfig(text, 'autoloader.yaml')).toThrow(/YAML parser was loaded/);
    });
    jest.dontMock('yaml');
  });

  it('reads a .json file that is not JSON with the YAML parser, as before', () => {
    expect(parseConfig(`routes:\n  - ${ROUTE}\n`, 'rules.json').routes).toHaveLength(1);
    expect(() => parseConfig('{"routes": [', 'rules.json')).toThrow(
      /^rules\.json:1:13: not valid YAML\/JSON: Flow sequence/,
    );
  });

  it('prefixes the message with the source and lists every problem with its path', () => {
    const text = `routes:\n  - ${ROUTE}\n  - name: Bad\n    match: gs://b/y\n    destination: raw.t\n    tabel: x\n`;
    expect(() => parseConfig(text, 'conf/rules.yaml')).toThrow(
      /^conf\/rules\.yaml:5:5: routes\[1\]\.name: .*; conf\/rules\.yaml:8:5: routes\[1\]\.tabel: unknown key$/,
    );
  });

  it.each([
    ['an unknown top-level key', `${withRoute('')}colour: red\n`, 'colour', /unknown key/],
    ['an unknown route key', withRoute('colour: red'), 'routes[0].colour', /unknown key/],
    [
      'an unknown allow key',
      withRoute('', 'allow: { colours: [x] }\n'),
      'allow.colours',
      /unknown key/,
    ],
    ['no routes', 'routes: []\n', 'routes', /at least one route/],
    [
      'a missing destination',
      'routes:\n  - name: r\n    match: gs://b/x\n',
      'routes[0].destination',
      /./,
    ],
    [
      'an invalid route name',
      withRoute('').replace('name: r', 'name: 9lives'),
      'routes[0].name',
      /lowercase letter first/,
    ],
    [
      'a long route name',
      withRoute('').replace('name: r', `name: r${'x'.repeat(63)}`),
      'routes[0].name',
      /62/,
    ],
    [
      'a match without gs://',
      withRoute('').replace('gs://b/x.csv', 'b/x.csv'),
      'routes[0].match',
      /gs:\/\/BUCKET\/PATTERN/,
    ],
    [
      'a match object with uri and regex',
      withRoute('').replace('gs://b/x.csv', '{ uri: gs://b/x, regex: x }'),
      'routes[0].match',
      /not both/,
    ],
    [
      'a match object with bucket only',
      withRoute('').replace('gs://b/x.csv', '{ bucket: b }'),
      'routes[0].match',
      /both `bucket` and `regex`/,
    ],
    [
      'a match object with an unknown key',
      withRoute('').replace('gs://b/x.csv', '{ uri: gs://b/x, size: 3 }'),
      'routes[0].match.size',
      /unknown key/,
    ],
    ['a bad format', withRoute('format: XLSX'), 'routes[0].format', /CSV/],
    [
      'an unknown override key',
      withRoute('overrides: [bq-table, bq-bucket]'),
      'routes[0].overrides[1]',
      /bq-table/,
    ],
    [
      'a bad inline schema type',
      withRoute('schema: { fields: [{ name: a, type: TEXT }] }'),
      'routes[0].schema.fields[0].type',
      /STRING/,
    ],
    [
      'an unknown inline schema field key',
      withRoute('schema: { fields: [{ name: a, type: STRING, nullable: true }] }'),
      'routes[0].schema.fields[0].nullable',
      /unknown key/,
    ],
    [
      'a bad enum in load',
      withRoute('load: { writeDisposition: APPEND }'),
      'routes[0].load.writeDisposition',
      /WRITE_APPEND/,
    ],
    [
      'a bad encoding in defaults',
      withRoute('', 'defaults: { encoding: latin1 }\n'),
      'defaults.encoding',
      /ISO-8859-1/,
    ],
    [
      'a misspelled load field',
      withRoute('load: { skipLeadingRow: 1 }'),
      'routes[0].load.skipLeadingRow',
      /unknown key/,
    ],
    [
      'a negative skipLeadingRows',
      withRoute('load: { skipLeadingRows: -1 }'),
      'routes[0].load.skipLeadingRows',
      /./,
    ],
    [
      'destinationTable in load',
      withRoute('load: { destinationTable: { tableId: t } }'),
      'routes[0].load.destinationTable',
      /use the route's `destination`/,
    ],
    [
      'sourceUris in defaults',
      withRoute('', 'defaults: { sourceUris: [gs://b/x] }\n'),
      'defaults.sourceUris',
      /use the route's `match`/,
    ],
    [
      'a bad nested enum',
      withRoute('load: { timePartitioning: { type: WEEK } }'),
      'routes[0].load.timePartitioning.type',
      /DAY/,
    ],
    [
      'a duplicate route name',
      `routes:\n  - ${ROUTE}\n  - ${ROUTE}\n`,
      'routes[1].name',
      /duplicate route name "r" \(first used by routes\[0\]\)/,
    ],
    [
      'a bad allowlist entry',
      withRoute('', 'allow: { destinations: [justadataset] }\n'),
      'allow.destinations[0]',
      /project\.dataset/,
    ],
  ])('refuses %s, naming its path', (_what, text, path, message) => {
    expect(problems(text)).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('reports a duplicate name even when other problems exist', () => {
    const issues = problems(`routes:\n  - ${ROUTE}\n  - ${ROUTE}\n    format: XLSX\n`);
    expect(issues.map((i) => i.path)).toEqual(['routes[1].format', 'routes[1].name']);
  });

  it.each([
    ['broken YAML', 'routes: [\n'],
    ['a duplicate key', `routes:\n  - ${ROUTE}\nroutes: []\n`],
  ])('refuses %s as a file-level problem', (_what, text) => {
    expect(problems(text)).toEqual([
      expect.objectContaining({ path: '', message: expect.stringMatching(/not valid YAML\/JSON/) }),
    ]);
  });

  it('refuses an empty file for its missing routes', () => {
    expect(problems('')).toEqual([{ path: 'routes', message: expect.any(String) }]);
  });
});
