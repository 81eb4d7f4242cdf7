/**
 * `npm run bench`: every case of issue 8 side by side, against local servers only (a
 * metadata server and a BigQuery jobs endpoint that answers at once), so only the handlers'
 * own code is measured. Writes bench/results.json and prints the table README: Performance
 * shows. Not part of `npm test`. Tunables: BENCH_RUNS (runs per case, default 5).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMetadataServer } from '../dev/metadata-server';
import { measureColdStarts } from './cold-start';
import { HANDLERS, type HandlerSpec, REPO } from './function-process';
import { startInstantBigQuery } from './instant-bigquery';
import { startInstantStorage } from './instant-storage';
import { BUCKET } from './load';
import { measureRouting } from './routing';
import { bytesOf, productionClosure } from './size';
import { ratio } from './stats';
import { type HandlerCost, measureThroughput } from './throughput';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PROJECT = 'bench-project';
const RULES = `
location: EU
routes:
  - name: sales
    match: gs://${BUCKET}/sales/{region}/*.csv
    destination: raw.sales_{region}
    load: { skipLeadingRows: 1 }
    schema: autodetect
`;
/** What the baseline sample needs in production (its package.json would list these). */
const BASELINE_DEPENDENCIES = [
  '@google-cloud/functions-framework',
  '@google-cloud/bigquery',
  '@google-cloud/storage',
];

interface Figure {
  name: string;
  value: number;
  unit: string;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const spread = (s: { median: number; min: number; max: number }, digits = 1) =>
  `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

async function main(): Promise<void> {
  const started = Date.now();
  const metadata = await startMetadataServer({ projectId: PROJECT });
  const bigquery = await startInstantBigQuery();
  const storage = await startInstantStorage();
  const rulesFile = join(mkdtempSync(join(tmpdir(), 'bqal-bench-')), 'autoloader.yaml');
  writeFileSync(rulesFile, RULES);
  const env = (spec: HandlerSpec): Record<string, string> => ({
    GOOGLE_CLOUD_PROJECT: PROJECT,
    GCE_METADATA_HOST: metadata.host,
    // With a scheme: @google-cloud/bigquery would add https:// to a bare host (FACTS.md).
    BIGQUERY_EMULATOR_HOST: `http://${bigquery.host}`,
    // bq-autoloader patches a marker onto each loaded object; the others never call it.
    STORAGE_EMULATOR_HOST: storage.emulatorHost,
    ...(spec === HANDLERS.autoloader ? { AUTOLOADER_CONFIG: rulesFile } : {}),
  });
  const lines: string[] = [];
  const out = (line = '') => {
    lines.push(line);
    console.log(line);
  };
  try {
    console.error(`cold start (${RUNS} runs each)…`);
    const cold = await measureColdStarts(
      [HANDLERS.empty, HANDLERS.baseline, HANDLERS.autoloader],
      env,
      RUNS,
    );

    const costs: HandlerCost[] = [];
    for (const spec of [HANDLERS.floor, HANDLERS.baseline, HANDLERS.autoloader]) {
      console.error(`per-event cost: ${spec.name}…`);
      costs.push(
        await measureThroughput(spec, env(spec), bigquery.inserts, {
          concurrencies: [1, 80],
          runs: Math.max(3, Math.ceil(RUNS / 2)),
          maxEvents: (c) => (c === 1 ? 1000 : 3000),
          maxMs: 3000,
          warmupEvents: 300,
        }),
      );
    }

    console.error('routing at scale…');
    const routing = [];
    for (const routes of [10, 1000, 10_000]) routing.push(await measureRouting(routes, 50_000));

    const autoloaderDeps = Object.keys(
      (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: object })
        .dependencies,
    );
    const size = {
      baseline: {
        ...productionClosure(REPO, BASELINE_DEPENDENCIES),
        code: bytesOf(HANDLERS.baseline.source),
      },
      autoloader: { ...productionClosure(REPO, autoloaderDeps), code: bytesOf(join(REPO, 'dist')) },
    };

    let sweep: Figure[] | string;
    if (existsSync(join(__dirname, 'sweep-planning.ts'))) {
      console.error('sweep planning (bench/sweep-planning.ts)…');
      // Loaded only when present (another issue's file): a static import would fail without it.
      const mod = require('./sweep-planning') as {
        runSweepPlanningBench(): Promise<Figure[]>;
      };
      sweep = await mod.runSweepPlanningBench();
    } else {
      sweep = 'skipped: bench/sweep-planning.ts is not there';
    }

    const [empty, baseCold, autoCold] = cold;
    const [floor, base, auto] = costs;
    const machine = {
      nproc: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      date: new Date().toISOString(),
    };
    out(`Machine: ${machine.nproc} CPUs, ${machine.cpu}, Node ${machine.node}, ${machine.date}`);
    out(
      `Median of ${RUNS} runs (min–max); per-event cost: median of ${floor?.runs[0]?.cpuMsPerEvent.n} runs.`,
    );
    out();
    out('| Cold start (spawn → first event acknowledged) | ms | vs empty | framework ready, ms |');
    out('|---|---|---|---|');
    for (const c of cold) {
      out(
        `| ${c.handler} | ${spread(c.firstAckMs, 0)} | ${ratio(c.firstAckMs.median, empty?.firstAckMs.median ?? Number.NaN)} | ${spread(c.readyMs, 0)} |`,
      );
    }
    out();
    out('| Per event | concurrency | events/s | vs floor | CPU ms/event | peak RSS MiB |');
    out('|---|---|---|---|---|---|');
    for (const cost of costs) {
      for (const run of cost.runs) {
        const floorRun = floor?.runs.find((r) => r.concurrency === run.concurrency);
        out(
          `| ${cost.handler} | ${run.concurrency} | ${spread(run.eventsPerSecond, 0)} | ${ratio(run.eventsPerSecond.median, floorRun?.eventsPerSecond.median ?? Number.NaN)} | ${spread(run.cpuMsPerEvent, 2)} | ${fmt(cost.peakRssMiB)} |`,
        );
      }
    }
    const at80 = (c: HandlerCost | undefined) => c?.runs.find((r) => r.concurrency === 80);
    out();
    out(
      `bq-autoloader vs baseline at concurrency 80: ${ratio(at80(auto)?.eventsPerSecond.median ?? Number.NaN, at80(base)?.eventsPerSecond.median ?? Number.NaN)} the events/s, ` +
        `${ratio(at80(auto)?.cpuMsPerEvent.median ?? Number.NaN, at80(base)?.cpuMsPerEvent.median ?? Number.NaN)} the CPU per event; ` +
        `cold start ${ratio(autoCold?.firstAckMs.median ?? Number.NaN, baseCold?.firstAckMs.median ?? Number.NaN)} the baseline's.`,
    );
    out();
    out('| Routing | compile ms | matchRoute p50 µs | p99 µs | planObjectLoad p50 µs | p99 µs |');
    out('|---|---|---|---|---|---|');
    for (const r of routing) {
      out(
        `| ${r.routes} routes | ${fmt(r.compileMs, 0)} | ${fmt(r.matchP50Us, 2)} | ${fmt(r.matchP99Us, 2)} | ${fmt(r.planP50Us, 2)} | ${fmt(r.planP99Us, 2)} |`,
      );
    }
    out();
    out('| Deployed size | packages | node_modules MB | code kB | total MB |');
    out('|---|---|---|---|---|');
    for (const [name, s] of [
      ['@google-cloud/bigquery baseline', size.baseline],
      ['bq-autoloader', size.autoloader],
    ] as const) {
      out(
        `| ${name} | ${s.packages} | ${fmt(s.bytes / 1e6)} | ${fmt(s.code / 1e3)} | ${fmt((s.bytes + s.code) / 1e6)} |`,
      );
    }
    out();
    if (typeof sweep === 'string') out(`Sweep planning: ${sweep}`);
    else for (const f of sweep) out(`${f.name}: ${fmt(f.value, 2)} ${f.unit}`);
    out();
    out(`Total benchmark time: ${fmt((Date.now() - started) / 1000, 0)} s`);

    writeFileSync(
      join(__dirname, 'results.json'),
      `${JSON.stringify({ machine, runs: RUNS, coldStart: cold, perEvent: costs, routing, size, sweepPlanning: sweep, table: lines.join('\n') }, null, 2)}\n`,
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
