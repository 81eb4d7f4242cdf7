// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are Terraform interpolations, not JS templates.
/**
 * The Terraform source archive must leave out exactly what `gcloud functions deploy` leaves
 * out. The module derives archive excludes from .gcloudignore (terraform/modules/gcloudignore,
 * provider-free, so it runs here offline); these tests evaluate it on the repository's real
 * .gcloudignore and replay the archive provider's walk (a directory whose relative path
 * matches an exclude is skipped whole; doublestar globs) against gitignore semantics.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import picomatch from 'picomatch';
import { loadModule, MODULE_DIR, REPO_ROOT, single } from './hcl';
import { terraform } from './terraform-cli';

const SUBMODULE = join(MODULE_DIR, 'modules/gcloudignore');

/** Evaluates the submodule on `text` in a throwaway root; returns the excludes or the error. */
async function deriveExcludes(text: string): Promise<{ excludes?: string[]; error?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gcloudignore-'));
  try {
    const source = relative(dir, SUBMODULE);
    writeFileSync(join(dir, 'input.txt'), text);
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({
        module: {
          g: {
            source: source.startsWith('.') ? source : `./${source}`,
            gcloudignore: '${file("input.txt")}',
          },
        },
        output: { excludes: { value: '${module.g.excludes}' } },
      }),
    );
    const init = await terraform(['init', '-backend=false', '-input=false', '-no-color'], dir);
    if (init.code !== 0) throw new Error(`terraform init failed: ${init.stderr}`);
    const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color'], dir);
    if (apply.code !== 0) return { error: apply.stderr };
    const output = await terraform(['output', '-json', 'excludes'], dir);
    return { excludes: JSON.parse(output.stdout) as string[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What archive_file does with `excludes`: true when the file or one of its folders matches. */
function archiveExcludes(excludes: string[], path: string): boolean {
  const matchers = excludes.map((glob) => picomatch(glob, { dot: true }));
  const parts = path.split('/');
  return parts.some((_, i) => {
    const prefix = parts.slice(0, i + 1).join('/');
    return matchers.some((m) => m(prefix));
  });
}

let excludes: string[];
beforeAll(async () => {
  const derived = await deriveExcludes(readFileSync(join(REPO_ROOT, '.gcloudignore'), 'utf8'));
  if (!derived.excludes) throw new Error(`cannot derive excludes: ${derived.error}`);
  excludes = derived.excludes;
}, 60_000);

describe('source archive excludes', () => {
  it('come from the deployed folder .gcloudignore through the submodule', async () => {
    const tf = await loadModule(MODULE_DIR);
    const archive = tf.data.archive_file?.source ?? {};
    expect(archive.source_dir).toBe('${var.source_dir}');
    expect(archive.excludes).toBe(
      '${concat(module.gcloudignore.excludes, ["**/.terraform"], var.extra_source_excludes)}',
    );
    const call = tf.modules.gcloudignore ?? {};
    expect(call.source).toBe('./modules/gcloudignore');
    expect(String(call.gcloudignore)).toContain('file(local.gcloudignore_path)');
    expect(tf.texts['source.tf']).toMatch(
      /gcloudignore_path = "\$\{var\.source_dir\}\/\.gcloudignore"/,
    );
  });

  it('have one glob per pattern line of .gcloudignore', () => {
    const lines = readFileSync(join(REPO_ROOT, '.gcloudignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(excludes).toHaveLength(new Set(lines).size);
  });

  // What gcloud (gitignore rules) does with the repository's .gcloudignore.
  it.each([
    ['package.json', false],
    ['package-lock.json', false],
    ['tsconfig.json', false],
    ['build.mjs', false],
    ['src/index.ts', false],
    ['src/rules/load.ts', false],
    ['src/events/testing-helpers.ts', false],
    ['dist/index.js', false],
    ['autoloader.yaml', false],
    ['node_modules/zod/index.js', true],
    ['.git/HEAD', true],
    ['.gitignore', true],
    ['.gcloudignore', true],
    ['.ci/run', true],
    ['test/unit/handler.test.ts', true],
    ['src/test/fixture.ts', true],
    ['dev/server.ts', true],
    ['scripts/start-local.js', true],
    ['terraform/main.tf', true],
    ['examples/autoloader.yaml', true],
    ['README.md', true],
    ['src/README.md', true],
    ['docs/deploy.md', true],
    ['biome.json', true],
    ['jest.config.js', true],
    ['.swcrc', true],
    ['coverage/lcov.info', true],
    ['bench/results.json', true],
    ['local/warehouse.duckdb', true],
    ['data/x.duckdb.wal', true],
  ])('treat %s as excluded=%s, like gcloud', (path, excluded) => {
    expect(archiveExcludes(excludes, path)).toBe(excluded);
  });

  it.each([
    ['an unanchored name', 'node_modules/', ['**/node_modules']],
    ['an extension glob', '*.md', ['**/*.md']],
    ['an anchored path', '/only-root.txt', ['only-root.txt']],
    ['a nested path', 'docs/build/', ['docs/build']],
    ['comments, blank lines and duplicates', '# c\n\nx/\nx/\r\n', ['**/x']],
  ])(
    'map %s the way gitignore means it',
    async (_what, text, expected) => {
      expect(await deriveExcludes(text)).toEqual({ excludes: expected });
    },
    30_000,
  );

  it('refuses negations, which no exclude list can express', async () => {
    const result = await deriveExcludes('dist/\n!dist/index.js\n');
    expect(result.excludes).toBeUndefined();
    expect(result.error).toMatch(/Negations/);
  }, 30_000);
});

describe('the submodule', () => {
  it('needs no provider, so it stays checkable offline', async () => {
    const sub = await loadModule(SUBMODULE);
    expect(Object.keys(sub.resources)).toEqual([]);
    expect(Object.keys(sub.data)).toEqual([]);
    expect(single([sub.outputs.excludes], 'output').description).toBeTruthy();
  });
});
