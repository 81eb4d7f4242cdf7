/**
 * What deploys is the bundle global-setup builds (build.mjs), with only what
 * `npm ci --omit=dev` installs next to it: the Functions Framework's closure. So the bundle
 * may load nothing else at run time, and production may depend on nothing else.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const FRAMEWORK = '@google-cloud/functions-framework';
/** Optional modules a bundled library loads inside try/catch, working without them. */
const OPTIONAL = new Set<string>([]);

function loadedAtRunTime(file: string): string[] {
  const text = readFileSync(join(REPO, 'dist', file), 'utf8');
  const names = [...text.matchAll(/\b(?:require|import)\("([^"]+)"\)/g)].map((m) => m[1] ?? '');
  return [...new Set(names)].filter((name) => !isBuiltin(name));
}

describe('the production bundle', () => {
  it('loads only Node built-ins and the Functions Framework', () => {
    expect(loadedAtRunTime('index.js').filter((name) => !OPTIONAL.has(name))).toEqual([FRAMEWORK]);
  });

  it('leaves production no dependency but the Functions Framework', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      main: string;
      bin: Record<string, string>;
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).toEqual([FRAMEWORK]);
    expect(pkg.main).toBe('dist/index.js');
    expect(pkg.scripts['gcp-build']).toMatch(/^node build\.mjs\b/);
  });

  it('is one file per entry point, and the CLI is executable with its shebang', () => {
    expect(readdirSync(join(REPO, 'dist')).sort()).toEqual([
      'cli.js',
      'cli.js.map',
      'index.js',
      'index.js.map',
    ]);
    const cli = join(REPO, 'dist/cli.js');
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(cli).mode & 0o111).toBe(0o111);
    expect(loadedAtRunTime('cli.js').filter((name) => !OPTIONAL.has(name))).toEqual([]);
  });
});
