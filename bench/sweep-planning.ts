/**
 * Benchmark (issue 5): planning a sweep over 100,000 objects on the local GCS server —
 * wall time and peak memory of the sweeping process. Target: under 10 s and 256 MiB.
 *
 *   npx tsx bench/sweep-planning.ts
 *
 * Three processes, so each figure measures one thing: the local GCS server (which also
 * creates the objects, once: they are kept in the OS temp folder for later runs), and a
 * fresh process that runs one dry-run sweep (list page by page, route, group, chunk, plan
 * within the budget) and reports its own wall time and peak RSS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startGcsServer } from '../dev/gcs/server';
import { parseConfig } from '../src/config/parse';
import { resolveSchemaFiles } from '../src/config/resolve-schemas';
import { createObjectLister } from '../src/gcp/storage/listing';
import { compileRules } from '../src/routing/compile';
import { runSweep } from '../src/sweep/run';

const OBJECTS = 100_000;
const BUCKET = 'bench-landing';
const DATA_DIR = join(tmpdir(), `bq-autoloader-bench-sweep-${OBJECTS}`);
// Default limits: 1000 jobs/day over 96 sweeps/day = 10 jobs of up to 10,000 files per run,
// so one run plans all 100,000 objects.
const RULES = `
routes:
  - name: events
    match: gs://${BUCKET}/events/{yyyy}/{mm}/*.ndjson
    destination: raw.events_{yyyy}{mm}
    schema: autodetect
    mode: batch
`;

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

export async function runSweepPlanningBench(): Promise<BenchFigure[]> {
  const server = spawnSelf(['--serve']);
  try {
    const host = await firstLine(server, 'GCS server host');
    const measure = spawnSelf(['--measure', host]);
    const result = JSON.parse(await firstLine(measure, 'sweep figures')) as {
      wallMs: number;
      listingMs: number;
      peakRssBytes: number;
      listed: number;
      planned: number;
    };
    if (result.listed !== OBJECTS) {
      throw new Error(`expected ${OBJECTS} objects listed, got ${result.listed}`);
    }
    return [
      { name: 'sweep planning, 100k objects: wall time', value: result.wallMs / 1000, unit: 's' },
      {
        name: 'sweep planning, 100k objects: of which waiting for listing pages',
        value: result.listingMs / 1000,
        unit: 's',
      },
      {
        name: 'sweep planning, 100k objects: peak RSS',
        value: Math.round((result.peakRssBytes / 2 ** 20) * 10) / 10,
        unit: 'MiB',
      },
      { name: 'sweep planning, 100k objects: jobs planned', value: result.planned, unit: 'jobs' },
    ];
  } finally {
    server.kill();
  }
}

/** Child mode `--serve`: create the objects once, serve them, print the emulator host. */
async function serve(): Promise<void> {
  const gcs = await startGcsServer({ rootDir: DATA_DIR });
  const ready = join(DATA_DIR, 'complete');
  if (!existsSync(ready)) {
    process.stderr.write(`creating ${OBJECTS} objects in ${DATA_DIR} (once)...\n`);
    for (let i = 0; i < OBJECTS; i += 1) {
      const month = String((i % 12) + 1).padStart(2, '0');
      const name = `events/2026/${month}/part-${String(i).padStart(6, '0')}.ndjson`;
      gcs.store.insert(BUCKET, name, Buffer.from(`{"id":${i}}\n`), {});
    }
    writeFileSync(ready, String(OBJECTS));
  }
  process.stdout.write(`${gcs.emulatorHost}\n`);
}

/** Child mode `--measure HOST`: one dry-run sweep; prints its figures as JSON. */
async function measure(host: string): Promise<void> {
  process.env.STORAGE_EMULATOR_HOST = host;
  const config = await resolveSchemaFiles(parseConfig(RULES, 'bench.yaml'), 'bench.yaml', () =>
    Promise.reject(new Error('no schema files')),
  );
  const rules = compileRules(config, 'bench.yaml');
  const never = () => Promise.reject(new Error('a dry run makes no writes'));
  // Time spent waiting for listing pages (the local server walks its folder for each page),
  // as opposed to the sweep's own routing, grouping and planning.
  const lister = createObjectLister();
  let listingMs = 0;
  const timedLister: typeof lister = {
    listBuckets: () => lister.listBuckets(),
    async *listObjects(bucket, prefix) {
      const pages = lister.listObjects(bucket, prefix);
      for (;;) {
        const t = performance.now();
        const next = await pages.next();
        listingMs += performance.now() - t;
        if (next.done) return;
        yield next.value;
      }
    },
  };
  const start = performance.now();
  const summary = await runSweep(
    {
      rules,
      runtimeProject: 'bench-project',
      lister: timedLister,
      markers: { write: never },
      insertJob: never,
      findJob: never,
    },
    { minAgeSeconds: 0, dryRun: true },
  );
  const wallMs = performance.now() - start;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    `${JSON.stringify({ wallMs, listingMs, peakRssBytes, listed: summary.listed, planned: summary.planned })}\n`,
  );
}

function spawnSelf(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', __filename, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, GOOGLE_CLOUD_PROJECT: 'bench-project' },
  });
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error(`${what}: no stdout`));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line));
    child.once('exit', (code) => reject(new Error(`${what}: process exited (${code})`)));
  });
}

if (require.main === module) {
  const [mode, arg] = process.argv.slice(2);
  const main =
    mode === '--serve'
      ? serve()
      : mode === '--measure'
        ? measure(arg ?? '')
        : runSweepPlanningBench().then((figures) => {
            for (const f of figures) process.stdout.write(`${f.name}: ${f.value} ${f.unit}\n`);
          });
  main.catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
