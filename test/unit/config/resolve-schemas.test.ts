import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/errors';
import { parseConfig } from '../../../src/config/parse';
import { resolveAgainst, resolveSchemaFiles } from '../../../src/config/resolve-schemas';
import { compileRules } from '../../../src/routing/compile';
import { findShadowedRoutes } from '../../../src/routing/shadowing';

const FIXTURES = join(__dirname, '../../fixtures/config');

function configWithSchema(schema: string) {
  return parseConfig(
    `routes:\n  - name: ok\n    match: gs://b/ok\n    destination: raw.ok\n  - name: r\n    match: gs://b/x.csv\n    destination: raw.t\n    schema: ${schema}\n`,
    'rules.yaml',
  );
}

async function resolveError(fileText: string): Promise<ConfigError> {
  const error = await resolveSchemaFiles(
    configWithSchema('s.json'),
    'conf/rules.yaml',
    async () => fileText,
  ).catch((e: unknown) => e);
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${error}`);
  return error;
}

describe('resolveSchemaFiles', () => {
  it('replaces a schema file by its fields and loads the complete example end to end', async () => {
    const location = join(FIXTURES, 'full.yaml');
    const config = parseConfig(await readFile(location, 'utf8'), location);
    const read: string[] = [];
    const resolved = await resolveSchemaFiles(config, location, async (path) => {
      read.push(path);
      return readFile(path, 'utf8');
    });
    expect(read).toEqual([join(FIXTURES, 'schemas/sales.json')]);
    expect(resolved.routes[0]?.schema).toEqual({
      fields: [
        { name: 'id', type: 'STRING', mode: 'REQUIRED' },
        { name: 'amount', type: 'NUMERIC' },
        {
          name: 'lines',
          type: 'RECORD',
          mode: 'REPEATED',
          fields: [{ name: 'sku', type: 'STRING' }],
        },
      ],
    });
    expect(resolved.routes[1]?.schema).toBe('autodetect');
    const rules = compileRules(resolved, location);
    expect(findShadowedRoutes(rules)).toEqual([]);
  });

  it('accepts the {fields: [...]} form', async () => {
    const resolved = await resolveSchemaFiles(configWithSchema('s.json'), 'rules.yaml', async () =>
      JSON.stringify({ fields: [{ name: 'a', type: 'INT64' }] }),
    );
    expect(resolved.routes[1]?.schema).toEqual({ fields: [{ name: 'a', type: 'INT64' }] });
  });

  it('leaves inline schemas and autodetect alone without reading anything', async () => {
    const reader = jest.fn(async () => '[]');
    const resolved = await resolveSchemaFiles(configWithSchema('autodetect'), 'rules.yaml', reader);
    expect(resolved.routes[1]?.schema).toBe('autodetect');
    expect(reader).not.toHaveBeenCalled();
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['an empty list', '[]', /./],
    ['a field with a bad type', '[{"name":"a","type":"TEXT"}]', /at \[0\]\.type/],
    [
      'a field with an unknown key',
      '[{"name":"a","type":"STRING","nullable":true}]',
      /\[0\]\.nullable: unknown key/,
    ],
    [
      'a bad nested field',
      '{"fields":[{"name":"r","type":"RECORD","fields":[{"name":1,"type":"STRING"}]}]}',
      /fields\[0\]\.fields\[0\]\.name/,
    ],
  ])('refuses a schema file that is %s, naming routes[i].schema', async (_what, text, message) => {
    const error = await resolveError(text);
    expect(error.issues).toContainEqual({
      path: 'routes[1].schema',
      message: expect.stringMatching(message),
    });
    expect(error.message).toMatch(
      /^conf\/rules\.yaml: routes\[1\]\.schema: schema file conf\/s\.json/,
    );
  });

  it('names the file it could not read', async () => {
    const error = await resolveSchemaFiles(
      configWithSchema('s.json'),
      'gs://cfg/a/rules.yaml',
      async () => {
        throw new Error('404 Not Found');
      },
    ).then(
      () => {
        throw new Error('expected a ConfigError');
      },
      (e: unknown) => e as ConfigError,
    );
    expect(error.issues).toEqual([
      {
        path: 'routes[1].schema',
        message: 'cannot read schema file gs://cfg/a/s.json: 404 Not Found',
      },
    ]);
  });
});

describe('resolveAgainst', () => {
  it.each([
    ['./autoloader.yaml', 'schemas/a.json', 'schemas/a.json'],
    ['conf/rules.yaml', 'schemas/a.json', 'conf/schemas/a.json'],
    ['conf/rules.yaml', '../a.json', 'a.json'],
    ['/etc/al/rules.yaml', 'a.json', '/etc/al/a.json'],
    ['conf/rules.yaml', '/abs/a.json', '/abs/a.json'],
    ['gs://cfg/rules.yaml', 'a.json', 'gs://cfg/a.json'],
    ['gs://cfg/x/y/rules.yaml', '../s/a.json', 'gs://cfg/x/s/a.json'],
    ['gs://cfg/x/rules.yaml', '../../../a.json', 'gs://cfg/a.json'],
    ['conf/rules.yaml', 'gs://other/a.json', 'gs://other/a.json'],
  ])('from %s, %s is %s', (location, path, expected) => {
    expect(resolveAgainst(location, path)).toBe(expected);
  });
});
