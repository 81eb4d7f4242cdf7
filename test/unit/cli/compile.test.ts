import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../src/cli/compile';
import { loadRules } from '../../../src/rules/load';

const FIXTURES = join(__dirname, '../../fixtures/config');
const noGcs = async (uri: string): Promise<string> => {
  throw new Error(`unexpected read of ${uri}`);
};

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      readGcsText: noGcs,
      stdout: {
        write: (s: string) => {
          out.stdout += s;
          return true;
        },
      },
      stderr: {
        write: (s: string) => {
          out.stderr += s;
          return true;
        },
      },
    },
  };
}

describe('bq-autoloader compile', () => {
  it('writes JSON that loads into the same rules, with schema files read into it', async () => {
    const yaml = join(FIXTURES, 'full.yaml');
    const { out, io: streams } = io();
    expect(await compile(yaml, {}, {}, streams)).toEqual({ exitCode: 0 });
    // Elsewhere on purpose: the JSON must not need the schema files next to it.
    const json = join(mkdtempSync(join(tmpdir(), 'bqal-compile-')), 'autoloader.json');
    writeFileSync(json, out.stdout);
    expect(out.stdout).not.toMatch(/schemas\/sales\.json/);
    // Compiled rules are a function of the validated config (closures compare by identity).
    expect((await loadRules(json, noGcs)).config).toEqual((await loadRules(yaml, noGcs)).config);
  });

  it('writes --out and reports it on stderr, keeping stdout empty', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'bqal-compile-')), 'rules.json');
    const { out, io: streams } = io();
    const result = await compile(
      undefined,
      { config: join(FIXTURES, 'full.yaml'), out: target },
      {},
      streams,
    );
    expect(result).toEqual({ exitCode: 0 });
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/→ .*rules\.json \(3 routes\)/);
    expect(JSON.parse(readFileSync(target, 'utf8')).routes).toHaveLength(3);
  });

  it('refuses a broken rules file like validate does, writing nothing', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'bqal-compile-')), 'autoloader.yaml');
    writeFileSync(broken, 'routes:\n  - name: a\n    match: gs://b/*.csv\n    destinaton: raw.t\n');
    const { out, io: streams } = io();
    expect(await compile(broken, {}, {}, streams)).toEqual({ exitCode: 1 });
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/: invalid\n/);
    expect(out.stderr).toMatch(
      /\n {2}\S+autoloader\.yaml:4:5: routes\[0\]\.destinaton: unknown key\n/,
    );
  });

  it('takes one rules file', async () => {
    const { io: streams } = io();
    await expect(compile('a.yaml', { config: 'b.yaml' }, {}, streams)).rejects.toThrow(
      /one rules file: FILE or --config FILE, not both/,
    );
  });
});
