/**
 * The measured process of bench/sweep-planning.ts, in plain JavaScript on the built code
 * (dist/) so its peak RSS is the sweep's and not a TypeScript loader's. Modes:
 *   sweep   one dry-run sweep over the listing server (list, route, group, chunk, plan);
 *   list    the lister alone, every page read and dropped (the floor the sweep stands on);
 *   plan    the sweep over pages made in this process (no HTTP, no lister): its own cost.
 * Prints one JSON line of figures. STORAGE_EMULATOR_HOST points at the listing server.
 */
const { createObjectLister } = require('../dist/gcp/storage/listing');

/** Pages of listed objects as the lister returns them, named as bench/listing-server.ts does. */
function syntheticLister(objects) {
  return {
    listBuckets: async function* () {},
    async *listObjects(bucket) {
      for (let first = 0; first < objects; first += 1000) {
        const page = [];
        for (let i = first; i < Math.min(objects, first + 1000); i++) {
          const month = String(Math.floor((i * 12) / objects) + 1).padStart(2, '0');
          page.push({
            bucket,
            name: `events/2026/${month}/part-${String(i).padStart(7, '0')}.ndjson`,
            generation: String(1_700_000_000_000_000 + i),
            metageneration: '1',
            size: 12 + (i % 7),
            contentType: 'application/x-ndjson',
            metadata: {},
            timeCreated: '2026-11-01T10:00:00.000Z',
            updated: '2026-11-01T10:00:00.000Z',
          });
        }
        yield page;
      }
    },
  };
}

async function main() {
  const [mode, rulesText, bucket, prefix, objects] = process.argv.slice(2);
  const lister = mode === 'plan' ? syntheticLister(Number(objects)) : createObjectLister();
  // Time spent waiting for listing pages, as opposed to the sweep's own work.
  let listingMs = 0;
  let listed = 0;
  const timedLister = {
    listBuckets: () => lister.listBuckets(),
    async *listObjects(b, p) {
      const pages = lister.listObjects(b, p);
      for (;;) {
        const t = performance.now();
        const next = await pages.next();
        listingMs += performance.now() - t;
        if (next.done) return;
        listed += next.value.length;
        yield next.value;
      }
    },
  };
  const start = performance.now();
  let planned = 0;
  if (mode === 'list') {
    for await (const _page of timedLister.listObjects(bucket, prefix));
  } else {
    const { parseConfig } = require('../dist/config/parse');
    const { compileRules } = require('../dist/routing/compile');
    const { runSweep } = require('../dist/sweep/run');
    const rules = compileRules(parseConfig(rulesText, 'bench.yaml'), 'bench.yaml');
    const never = () => Promise.reject(new Error('a dry run makes no writes'));
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
    if (summary.error) throw new Error(summary.error);
    planned = summary.planned;
  }
  const wallMs = performance.now() - start;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ wallMs, listingMs, peakRssBytes, listed, planned })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
