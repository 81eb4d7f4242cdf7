/**
 * Sweep planning at scale: a dry-run sweep over 1,000,000 listed objects (12 monthly
 * destination tables, about 108 batch jobs of up to 10,000 files), and the lister alone over
 * the same listing. Target: ≤ 20 s and ≤ 200 MiB peak RSS, and memory that does not grow
 * with the listing (the 100,000-object run shows it: the same peak at a tenth of the
 * objects).
 *
 *   npm run build && npx tsx bench/sweep-planning.ts
 *
 * The listing server (bench/listing-server.ts) runs in this process and builds each page
 * from a template; each measurement runs in a fresh process on the built code
 * (bench/sweep-measure.js) and reports its own wall time and peak RSS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { startListingServer, type VirtualBucket } from './listing-server';

const BUCKET = 'bench-landing';
// Default limits: 1000 jobs/day over 96 sweeps/day = 10 jobs of up to 10,000 files per table
// per run, so one run plans every object (12 tables × 9 chunks of 1,000,000 / 12 objects).
const RULES = `
routes:
  - name: events
    match: gs://${BUCKET}/events/{yyyy}/{mm}/*.ndjson
    destination: raw.events_{yyyy}{mm}
    schema: autodetect
    mode: batch
`;

/** Objects spread over the 12 months of 2026, in name order. */
export function eventsBucket(objects: number): VirtualBucket {
  return {
    bucket: BUCKET,
    objects,
    nameOf: (i) => {
      const month = String(Math.floor((i * 12) / objects) + 1).padStart(2, '0');
      return `events/2026/${month}/part-${String(i).padStart(7, '0')}.ndjson`;
    },
  };
}

export interface SweepFigures {
  mode: 'sweep' | 'list' | 'plan';
  objects: number;
  wallMs: number;
  listingMs: number;
  peakRssBytes: number;
  listed: number;
  planned: number;
}

/**
 * One fresh process: `sweep` (a dry-run sweep over the listing server), `list` (the lister
 * alone) or `plan` (the sweep alone, over pages made in its own process).
 */
/** bench/sweep-measure.ts bundled once per run, as build.mjs bundles the function. */
let script: Promise<string> | undefined;
function measureScript(): Promise<string> {
  script ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'bqal-sweep-bench-')), 'sweep-measure.js');
    await build({
      entryPoints: [join(__dirname, 'sweep-measure.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      logLevel: 'warning',
    });
    return outfile;
  })();
  return script;
}

export async function measureSweep(
  mode: SweepFigures['mode'],
  objects: number,
  nodeArgs: string[] = [],
): Promise<SweepFigures> {
  const server = await startListingServer([eventsBucket(objects)]);
  try {
    const child = spawn(
      process.execPath,
      [...nodeArgs, await measureScript(), mode, RULES, BUCKET, 'events/', String(objects)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          PATH: process.env.PATH ?? '',
          GOOGLE_CLOUD_PROJECT: 'bench-project',
          STORAGE_EMULATOR_HOST: server.emulatorHost,
          NODE_ENV: 'production',
        },
      },
    );
    const figures = JSON.parse(await firstLine(child, `sweep ${mode}`)) as Omit<
      SweepFigures,
      'mode' | 'objects'
    >;
    if (figures.listed !== objects) {
      throw new Error(`expected ${objects} objects listed, got ${figures.listed}`);
    }
    return { mode, objects, ...figures };
  } finally {
    await server.close();
  }
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error(`${what}: no stdout`));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line));
    child.once('exit', (code) => reject(new Error(`${what}: process exited (${code})`)));
  });
}

/**
 * The runs `npm run bench` reports: the sweep at 100k and 1M objects (memory should not grow
 * with the listing), and at 1M the lister alone and the sweep alone, so each part's share shows.
 */
export async function runSweepPlanningBench(): Promise<SweepFigures[]> {
  const out: SweepFigures[] = [];
  for (const [mode, objects] of [
    ['sweep', 100_000],
    ['sweep', 1_000_000],
    ['list', 1_000_000],
    ['plan', 1_000_000],
  ] as const) {
    console.error(`sweep planning: ${mode} ${objects} objects…`);
    out.push(await measureSweep(mode, objects));
  }
  return out;
}

if (require.main === module) {
  // `npx tsx bench/sweep-planning.ts [sweep|list] [objects] [node flags…]`, e.g. --cpu-prof.
  const [mode, objects, ...nodeArgs] = process.argv.slice(2);
  const run =
    mode === 'sweep' || mode === 'list' || mode === 'plan'
      ? measureSweep(mode, Number(objects ?? 1_000_000), nodeArgs).then((f) => [f])
      : runSweepPlanningBench();
  run
    .then((figures) => {
      for (const f of figures) console.log(JSON.stringify(f));
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
