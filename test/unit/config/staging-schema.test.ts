import { parseConfig } from '../../../src/config/parse';
import { transformProblem } from '../../../src/config/staging-checks';
import { problems } from './problems';

function rules(route: string, top = ''): string {
  const lines = route
    .split('\n')
    .filter(Boolean)
    .map((l) => `    ${l}`);
  return `${top}routes:\n  - name: r\n    match: gs://b/**.json\n    destination: sales.orders\n${lines.join('\n')}\n`;
}

describe('staged route keys', () => {
  it('reads transform, dedupe (keep defaults to latest), schemaEvolution and the staging dataset', () => {
    const config = parseConfig(
      rules(
        'transform: SELECT id, amt AS amount FROM {staging}\ndedupe: { key: [id], order_by: ts }\nschemaEvolution: rescue',
        'staging: { dataset: ops.stage }\n',
      ),
      'rules.yaml',
    );
    expect(config.staging).toEqual({ dataset: 'ops.stage' });
    expect(config.routes[0]).toMatchObject({
      transform: 'SELECT id, amt AS amount FROM {staging}',
      dedupe: { key: ['id'], keep: 'latest', order_by: 'ts' },
      schemaEvolution: 'rescue',
    });
  });

  it.each([
    [
      'a transform without {staging}',
      'transform: SELECT 1 AS id',
      'routes[0].transform',
      'must read {staging}',
    ],
    [
      '{staging} only inside a string',
      'transform: "SELECT \'{staging}\' AS x"',
      'routes[0].transform',
      'must read {staging}',
    ],
    [
      'a statement other than SELECT',
      'transform: DELETE FROM {staging} WHERE true',
      'routes[0].transform',
      'not DELETE',
    ],
    [
      'two statements',
      'transform: SELECT * FROM {staging}; DROP TABLE x',
      'routes[0].transform',
      'one statement',
    ],
    [
      'an unknown placeholder',
      'transform: SELECT * FROM {staging} JOIN {other} USING (id)',
      'routes[0].transform',
      'not {other}',
    ],
    [
      'an unclosed string',
      'transform: "SELECT \'x FROM {staging}"',
      'routes[0].transform',
      'never closed',
    ],
    [
      'keep latest without order_by',
      'dedupe: { key: [id] }',
      'routes[0].dedupe',
      'needs `order_by`',
    ],
    ['a dedupe without key', 'dedupe: { key: [], keep: first }', 'routes[0].dedupe.key', ''],
    [
      'a staged route taking inline data',
      'dedupe: { key: [id], keep: first }\naccepts: [object, inline]',
      'routes[0].accepts',
      'inline data',
    ],
    [
      'a staged route truncating',
      'dedupe: { key: [id], keep: first }\nload: { writeDisposition: WRITE_TRUNCATE }',
      'routes[0].load.writeDisposition',
      'WRITE_APPEND only',
    ],
    [
      'evolve with an explicit schema',
      'schemaEvolution: evolve\nschema: { fields: [{ name: id, type: INT64 }] }',
      'routes[0].schema',
      'autodetect',
    ],
    [
      'schemaUpdateOptions beside schemaEvolution',
      'schemaEvolution: evolve\nload: { schemaUpdateOptions: [ALLOW_FIELD_ADDITION] }',
      'routes[0].load.schemaUpdateOptions',
      'set by schemaEvolution',
    ],
    [
      'strict with ignoreUnknownValues',
      'schemaEvolution: strict\nload: { ignoreUnknownValues: true }',
      'routes[0].load.ignoreUnknownValues',
      'strict',
    ],
    [
      'rescue of Parquet',
      'schemaEvolution: rescue\nformat: PARQUET',
      'routes[0].schemaEvolution',
      'not PARQUET',
    ],
  ])('refuses %s, naming the key', (_what, route, path, message) => {
    const found = problems(rules(route, 'allow: { topics: [projects/p/topics/t] }\n'));
    expect(found).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('refuses what the defaults or object metadata would set against a staged route', () => {
    const top = 'defaults: { writeDisposition: WRITE_TRUNCATE }\n';
    expect(problems(rules('dedupe: { key: [id], keep: first }', top))).toContainEqual({
      path: 'defaults.writeDisposition',
      message: expect.stringContaining(
        'route r: transform, dedupe and rescue write with WRITE_APPEND only',
      ),
    });
    expect(
      problems(
        rules(
          'dedupe: { key: [id], keep: first }\noverrides: [bq-table, bq-partition, bq-write-disposition]',
        ),
      ),
    ).toContainEqual({
      path: 'routes[0].overrides',
      message: expect.stringContaining('cannot set bq-partition, bq-write-disposition'),
    });
  });

  it('refuses a partition decorator on a staged destination', () => {
    const text = rules('dedupe: { key: [id], keep: first }').replace(
      'sales.orders',
      'sales.orders$20260101',
    );
    expect(problems(text)).toContainEqual({
      path: 'routes[0].destination',
      message: expect.stringContaining('partition decorator'),
    });
  });

  it('refuses a staging dataset that is no dataset name', () => {
    expect(problems(rules('', 'staging: { dataset: "bad name" }\n'))[0]?.path).toBe(
      'staging.dataset',
    );
  });
});

describe('transformProblem', () => {
  it.each([
    'SELECT * FROM {staging}',
    'WITH x AS (SELECT * FROM {staging}) SELECT * FROM x;',
    '(SELECT a FROM {staging})',
    "SELECT 'a;b' AS s, `weird;name` FROM {staging} -- a comment; with {other}",
    'select r"\\d+" AS re, """multi\n;line""" AS t FROM {staging} /* {x}; */',
  ])('accepts %s', (sql) => {
    expect(transformProblem(sql)).toBeUndefined();
  });
});
