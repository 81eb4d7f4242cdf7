/**
 * `npm run build`: bundles the function (dist/index.js) and the CLI (dist/cli.js) with
 * esbuild. `gcp-build` passes `--function-only`: the deployed function never runs the CLI.
 *
 * - dist/index.js is the deployed function: one CommonJS file, so a cold start compiles one
 *   script instead of resolving and reading hundreds of modules. Every library it uses is
 *   inside it, so production needs no dependency but @google-cloud/functions-framework,
 *   which stays external: the runtime starts the framework's CLI, which loads this file.
 * - Modules reached only through `import()` (src/core/lazy.ts) become closures that run on
 *   first use, not at cold start.
 * - Whitespace and syntax are minified (a smaller file to ship and compile) but names are
 *   kept, so a stack trace still names its functions, and lines stay short: a crash prints
 *   its source line, which must not be a whole library.
 * - Each file gets a source map without the sources' text (a stack trace needs names and
 *   positions only); Node reads it only under `--enable-source-maps` (README: Deploy).
 */
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const DIST = 'dist';
const functionOnly = process.argv.includes('--function-only');

rmSync(DIST, { recursive: true, force: true });
await build({
  entryPoints: functionOnly
    ? { index: 'src/index.ts' }
    : { index: 'src/index.ts', cli: 'src/cli.ts' },
  outdir: DIST,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['@google-cloud/functions-framework'],
  minifyWhitespace: true,
  minifySyntax: true,
  lineLimit: 120,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
if (!functionOnly) chmodSync(`${DIST}/cli.js`, 0o755);
