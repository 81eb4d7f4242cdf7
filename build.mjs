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
 *   positions only); Node reads it only under `--enable-source-maps` (docs/deploy.md).
 * - RE2JS (the linear-time engine of `regex:` routes) is bundled fully minified and without
 *   source positions: a third-party engine's internals need no readable stack trace, and
 *   this keeps it at 150 kB instead of 350 kB with its map. It initialises only when a rules
 *   file has a regex route (src/routing/compile.ts requires it there).
 */
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { build, transform } from 'esbuild';

/**
 * An input source map that sends the whole file to one position: esbuild then writes one
 * mapping for RE2JS instead of one per token (an empty map is ignored and the file mapped
 * token by token).
 */
const NO_POSITIONS = `//# sourceMappingURL=data:application/json;base64,${Buffer.from(
  JSON.stringify({ version: 3, sources: ['re2js-minified'], names: [], mappings: 'AAAA' }),
).toString('base64')}`;

const minifiedLibraries = {
  name: 'minified-libraries',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]re2js[\\/].*\.c?js$/ }, async (args) => {
      const { code } = await transform(readFileSync(args.path, 'utf8'), {
        minify: true,
        format: 'cjs',
        target: 'node22',
      });
      return { contents: `${code}\n${NO_POSITIONS}\n`, loader: 'js' };
    });
    // Every other library keeps its code as written (names, short lines) but maps to one
    // position per file (esbuild uses the first onLoad that answers, so RE2JS is above): a
    // stack trace still names the library's functions, and the map is a quarter of the size.
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, async (args) => {
      const code = readFileSync(args.path, 'utf8').replace(/\/\/# sourceMappingURL=\S*\s*$/, '');
      return { contents: `${code}\n${NO_POSITIONS}\n`, loader: 'js' };
    });
  },
};

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
  plugins: [minifiedLibraries],
});
if (!functionOnly) chmodSync(`${DIST}/cli.js`, 0o755);
