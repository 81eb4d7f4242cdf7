/**
 * The layering of src/ (docs/architecture.md): folders are layers, imports point down only,
 * and the pure core imports no I/O. Files stay small in src/ and in the local stack (dev/). A plain import scan is enough for relative TypeScript
 * imports; dependency-cruiser would need the TypeScript compiler API, which TypeScript 7
 * (the native compiler this project uses) does not have.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(__dirname, '../../src');
const DEV = resolve(__dirname, '../../dev');

/** Bottom to top. A unit is a folder (`gcp/`) or a top-level file (`log`). */
const LAYERS: readonly (readonly string[])[] = [
  ['types', 'errors', 'core/'],
  ['events/', 'config/'],
  ['routing/'],
  ['log', 'settings', 'gcp/'],
  ['rules/', 'outcomes/'],
  ['sweep/'],
  ['pipeline/'],
  ['index', 'cli', 'cli/', 'door/'],
];

/** The pure core: no file system, network, process environment or Google client. */
const PURE = new Set(['types', 'errors', 'core/', 'events/', 'config/', 'routing/']);
const IO_IMPORT =
  /(?:from|require\()\s*['"](node:)?(fs|fs\/promises|http|https|net|child_process)['"]|google-auth-library|@google-cloud\/|process\.env/;

function sourceFiles(dir: string, extension = /\.ts$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path, extension);
    return extension.test(entry.name) ? [path] : [];
  });
}

function unitOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? `${parts[0]}/` : (parts[0] ?? '').replace(/\.ts$/, '');
}

function layerOf(unit: string): number {
  return LAYERS.findIndex((layer) => layer.includes(unit));
}

interface Import {
  from: string;
  to: string;
  file: string;
}

function relativeImports(file: string, text: string): Import[] {
  const found: Import[] = [];
  // `from '…'`, `import('…')` and side-effect `import '…'`.
  for (const match of text.matchAll(/(?:from|import\(?)\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), (match[1] ?? '').replace(/\.js$/, ''));
    found.push({ from: unitOf(file), to: unitOf(`${target}.ts`), file: relative(SRC, file) });
  }
  return found;
}

/** Small files with one purpose; past this, a file holds more than one. */
const MAX_FILE_LINES = 250;

const files = sourceFiles(SRC).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const imports = files.flatMap(({ file, text }) => relativeImports(file, text));

describe('the layers of src/', () => {
  it('places every folder and top-level file in a layer', () => {
    const unplaced = [...new Set(files.map(({ file }) => unitOf(file)))].filter(
      (unit) => layerOf(unit) < 0,
    );
    expect(unplaced).toEqual([]);
  });

  it('has every import point to its own layer or one below', () => {
    const upward = imports
      .filter((i) => i.from !== i.to && layerOf(i.to) > layerOf(i.from))
      .map((i) => `${i.file} imports ${i.to} (layer ${layerOf(i.to)} above ${layerOf(i.from)})`);
    expect(upward).toEqual([]);
  });

  it('has no import cycle between units of the same layer', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of imports) {
      if (i.from === i.to) continue;
      edges.set(i.from, (edges.get(i.from) ?? new Set()).add(i.to));
    }
    const reaches = (a: string, b: string, seen = new Set<string>()): boolean => {
      if (a === b) return true;
      if (seen.has(a)) return false;
      seen.add(a);
      return [...(edges.get(a) ?? [])].some((c) => reaches(c, b, seen));
    };
    const cycles = [...edges].flatMap(([a, targets]) =>
      [...targets].filter((b) => reaches(b, a)).map((b) => `${a} -> ${b}`),
    );
    expect(cycles).toEqual([]);
  });

  it('keeps the pure core free of I/O', () => {
    const impure = files
      .filter(({ file }) => PURE.has(unitOf(file)))
      .filter(({ text }) => IO_IMPORT.test(text))
      .map(({ file }) => relative(SRC, file));
    expect(impure).toEqual([]);
  });

  it(`keeps every file at ${MAX_FILE_LINES} lines or fewer`, () => {
    expect(longFiles(SRC, files)).toEqual([]);
  });
});

/** `root`-relative `file: lines` of each file past MAX_FILE_LINES. */
function longFiles(root: string, found: { file: string; text: string }[]): string[] {
  return found
    .map(({ file, text }) => ({ file: relative(root, file), lines: text.split('\n').length }))
    .filter(({ lines }) => lines > MAX_FILE_LINES)
    .map(({ file, lines }) => `${file}: ${lines}`);
}

describe('the local stack in dev/', () => {
  // The local servers are code a test trusts as much as src/, so they follow the same rule.
  const devFiles = sourceFiles(DEV, /\.(ts|js)$/).map((file) => ({
    file,
    text: readFileSync(file, 'utf8'),
  }));

  it('is found by the scan (a wrong path would pass the next test vacuously)', () => {
    const names = devFiles.map(({ file }) => relative(DEV, file).split(sep).join('/'));
    expect(names).toEqual(expect.arrayContaining(['start.ts', 'gcs/store.ts', 'bigquery/load.ts']));
  });

  it(`keeps every file at ${MAX_FILE_LINES} lines or fewer`, () => {
    expect(longFiles(DEV, devFiles)).toEqual([]);
  });
});
