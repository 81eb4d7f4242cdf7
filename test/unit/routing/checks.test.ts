import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/errors';
import { checkRules } from '../../../src/routing/checks';
import { loadRules } from '../../../src/rules/load';
import { rulesFrom } from './rules';

const noGcs = async () => {
  throw new Error('no gs:// in these tests');
};

/** Loads `text` from a file the way a cold start does; the ConfigError when refused. */
async function load(text: string) {
  const path = join(mkdtempSync(join(tmpdir(), 'bqal-checks-')), 'rules.yaml');
  writeFileSync(path, text);
  try {
    return { path, rules: await loadRules(path, noGcs), error: undefined };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { path, rules: undefined, error };
  }
}

const ALLOW =
  'project: p\nallow:\n  buckets: [landing-*]\n  destinations: [p.raw, p.staging.only_this]\nroutes:\n';

describe('rule checks', () => {
  it('refuses a shadowed route at its own line, saying what to do', async () => {
    const { path, error } = await load(
      'routes:\n  - name: all\n    match: gs://b/**\n    destination: raw.t\n  - name: sales\n    match: gs://b/sales/*.csv\n    destination: raw.u\n',
    );
    expect(error?.issues).toEqual([
      expect.objectContaining({ path: 'routes[1]', line: 5, column: 5 }),
    ]);
    expect(error?.message).toContain(`${path}:5:5: routes[1]: route "sales" can never match`);
    expect(error?.message).toMatch(/move it above "all"/);
  });

  it('warns about a literal bucket outside allow.buckets (unreachable), at the match line', async () => {
    const { rules } = await load(
      `${ALLOW}  - name: a\n    match: gs://elsewhere/*.csv\n    destination: raw.t\n`,
    );
    expect(rules?.warnings).toEqual([
      expect.objectContaining({
        path: 'routes[0].match',
        line: 7,
        message: expect.stringMatching(/unreachable: bucket "elsewhere" is not in allow\.buckets/),
      }),
    ]);
  });

  it('warns about a destination outside allow.destinations, at the destination line', async () => {
    const { rules } = await load(
      `${ALLOW}  - name: a\n    match: gs://landing-x/*.csv\n    destination: secret.t\n`,
    );
    expect(rules?.warnings).toEqual([
      expect.objectContaining({
        path: 'routes[0].destination',
        line: 8,
        column: 5,
        message: expect.stringMatching(/destination p\.secret\.t is not in allow\.destinations/),
      }),
    ]);
  });

  it.each([
    ['raw.t', 'a dataset entry'],
    ['raw.t_{x}', 'a templated table in an allowed dataset'],
    ['staging.only_this', 'a table entry'],
    ['staging.{x}', 'a templated table where one table is allowed'],
    ["'{x}.t'", 'a templated dataset (not known before an object)'],
    ['other-project.secret.t', 'a project other than the default… refused'],
  ])('judges %s (%s)', async (destination, _why) => {
    const rules = await rulesFrom(
      `${ALLOW}  - name: a\n    match: gs://landing-x/{x}/*.csv\n    destination: ${destination}\n`,
    );
    const outside = checkRules(rules).warnings.length > 0;
    expect(outside).toBe(destination.startsWith('other-project'));
  });

  it('says when object metadata may still move the destination inside', async () => {
    const rules = await rulesFrom(
      `${ALLOW}  - name: a\n    match: gs://landing-x/*.csv\n    destination: secret.t\n    overrides: [bq-dataset]\n`,
    );
    expect(checkRules(rules).warnings[0]?.message).toMatch(/unless object metadata overrides it/);
  });

  it('judges nothing without allowlists or without a known project', async () => {
    const free = await rulesFrom(
      'routes:\n  - name: a\n    match: gs://any/*.csv\n    destination: x.t\n',
    );
    expect(checkRules(free)).toEqual({ errors: [], warnings: [] });
    const noProject = await rulesFrom(
      'allow:\n  destinations: [p.raw]\nroutes:\n  - name: a\n    match: gs://any/*.csv\n    destination: secret.t\n',
    );
    expect(checkRules(noProject).warnings).toEqual([]);
  });

  it('refuses an impossible partition date at the destination line', async () => {
    const { path, error } = await load(
      'routes:\n  - name: a\n    match: gs://b/*.csv\n    destination: raw.t$20261345\n',
    );
    expect(error?.message).toContain(
      `${path}:4:5: routes[0].destination: partition decorator "$20261345" is not a real date`,
    );
  });

  it('refuses an unknown template variable at the destination line, listing the known ones', async () => {
    const { path, error } = await load(
      'routes:\n  - name: a\n    match: gs://b/{region}/*.csv\n    destination: raw.t_{regoin}\n',
    );
    expect(error?.message).toContain(
      `${path}:4:5: routes[0].destination: unknown placeholder "{regoin}"`,
    );
    expect(error?.message).toContain('(did you mean {region}?); available: {region}, {bucket}');
  });
});
