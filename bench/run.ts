/**
 * `npm run bench`: the per-event handlers side by side (empty handler, auth.request POST,
 * lean POST, the @google-cloud/bigquery baseline, bq-autoloader with markers on and off)
 * against local servers only (a metadata server, and BigQuery and Cloud Storage endpoints
 * that answer at once), so only the handlers' own code is measured; then routing at scale,
 * sweep planning at 1,000,000 objects, and files/s through transform + dedupe against plain
 * loads on the local stack (bench/staged.ts). Prints the tables docs/performance.md shows,
 * with a target column, and writes bench/results.json. Not part of `npm test`.
 * Tunables: BENCH_RUNS (cold-start runs per handler, default 5; per-event runs are half).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMetadataServer } from '../dev/metadata-server';
import { adversarialTable, measureAdversarial } from './adversarial';
import { measureColdStarts } from './cold-start';
import { HANDLERS, type HandlerId, type HandlerSpec, REPO } from './function-process';
import { startInstantBigQuery } from './instant-bigquery';
import { startInstantStorage } from './instant-storage';
import { BUCKET } from './load';
import { type BenchResults, fmt, type HandlerResult, report } from './report';
import { measureRouting } from './routing';
import { bytesOf, productionClosure } from './size';
import { measureStaged, stagedTable } from './staged';
import { runSweepPlanningBench } from './sweep-planning';
import { measureThroughput } from './throughput';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PROJECT = 'bench-project';
/** JSON, as deployed (docs/deploy.md): no YAML parser is loaded at cold start. */
const RULES = JSON.stringify({
  location: 'EU',
  routes: [
    {
      name: 'sales',
      match: `gs://${BUCKET}/sales/{region}/*.csv`,
      destination: 'raw.sales_{region}',
      load: { skipLeadingRows: 1 },
      schema: 'autodetect',
    },
  ],
});
const FRAMEWORK = '@google-cloud/functions-framework';

/** What each handler needs in production: its package.json's dependencies, and its code. */
function deployedSize(id: HandlerId): { packages: number; bytes: number } {
  const spec: HandlerSpec = HANDLERS[id];
  const loaderDeps = Object.keys(
    (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: object })
      .dependencies,
  );
  const deps: Record<HandlerId, string[]> = {
    empty: [FRAMEWORK],
    authRequest: [FRAMEWORK, 'google-auth-library'],
    leanPost: [FRAMEWORK, 'google-auth-library'],
    leanClaimPost: [FRAMEWORK, 'google-auth-library'],
    baseline: [FRAMEWORK, '@google-cloud/bigquery', '@google-cloud/storage'],
    markersOn: loaderDeps,
    markersOff: loaderDeps,
  };
  const closure = productionClosure(REPO, deps[id]);
  const code = bytesOf(spec.source ?? join(REPO, 'dist'));
  return { packages: closure.packages, bytes: closure.bytes + code };
}

async function main(): Promise<void> {
  const started = Date.now();
  const metadata = await startMetadataServer({ projectId: PROJECT });
  const bigquery = await startInstantBigQuery();
  const storage = await startInstantStorage();
  const rulesFile = join(mkdtempSync(join(tmpdir(), 'bqal-bench-')), 'autoloader.json');
  writeFileSync(rulesFile, RULES);
  const env = (spec: HandlerSpec): Record<string, string> => ({
    GOOGLE_CLOUD_PROJECT: PROJECT,
    GCE_METADATA_HOST: metadata.host,
    // With a scheme: @google-cloud/bigquery would add https:// to a bare host.
    BIGQUERY_EMULATOR_HOST: `http://${bigquery.host}`,
    // bq-autoloader writes a marker on each object it loads; the others never call it.
    STORAGE_EMULATOR_HOST: storage.emulatorHost,
    ...(spec.source === undefined ? { AUTOLOADER_CONFIG: rulesFile } : {}),
  });
  try {
    const ids = Object.keys(HANDLERS) as HandlerId[];
    console.error(`cold start (${RUNS} runs each)…`);
    const cold = await measureColdStarts(
      ids.map((id) => HANDLERS[id]),
      env,
      RUNS,
    );
    const handlers: HandlerResult[] = [];
    for (const [i, id] of ids.entries()) {
      const spec = HANDLERS[id];
      console.error(`per-event cost: ${spec.name}…`);
      const counters = {
        inserts: bigquery.inserts,
        storageRequests: () => storage.patches() + storage.reads(),
      };
      const cost = await measureThroughput(spec, env(spec), counters, {
        concurrencies: [1, 80],
        runs: Math.max(3, Math.ceil(RUNS / 2)),
        maxEvents: (c) => (c === 1 ? 1000 : 3000),
        maxMs: 3000,
        warmupEvents: 300,
      });
      const coldStart = cold[i];
      if (!coldStart) throw new Error(`no cold start for ${spec.name}`);
      handlers.push({ id, name: spec.name, cold: coldStart, cost, size: deployedSize(id) });
    }

    console.error('routing at scale…');
    const routing = [];
    for (const routes of [10, 1000, 10_000]) routing.push(await measureRouting(routes, 50_000));

    console.error('adversarial names…');
    const adversarial = measureAdversarial();

    const sweep = await runSweepPlanningBench();

    console.error('transform + dedupe against plain loads (local stack)…');
    const staged = await measureStaged();

    const results: BenchResults = {
      machine: {
        nproc: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        date: new Date().toISOString(),
      },
      runs: RUNS,
      handlers,
      routing,
      sweep,
      staged,
    };
    const table = [
      ...report(results),
      '',
      ...adversarialTable(adversarial),
      '',
      ...stagedTable(staged),
      '',
      `Total benchmark time: ${fmt((Date.now() - started) / 1000, 0)} s`,
    ];
    for (const line of table) console.log(line);
    writeFileSync(
      join(__dirname, 'results.json'),
      `${JSON.stringify({ ...results, table: table.join('\n') }, null, 2)}\n`,
    );
  } finally {
    await bigquery.close();
    await storage.close();
    await metadata.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
