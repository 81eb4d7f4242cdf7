/**
 * The measured process of bench/sweep-planning.ts, bundled with esbuild as the function is
 * and run by plain node, so its peak RSS is the sweep's and not a TypeScript loader's. Modes:
 *   sweep   one dry-run sweep over the listing server (list, route, group, chunk, plan);
 *   list    the lister alone, every page read and dropped (the floor the sweep stands on);
 *   plan    the sweep over pages made in this process (no HTTP, no lister): its own cost.
 * Prints one JSON line of figures. STORAGE_EMULATOR_HOST points at the listing server.
 */
import { parseConfig } from '../src/config/parse';
import {
  createObjectLister,
  type ListedObject,
  type ObjectLister,
} from '../src/gcp/storage/listing';
import { compileRules } from '../src/routing/compile';
import { runSweep } from '../src/sweep/run';

/** Pages of listed objects as the lister returns them, named as bench/listing-server.ts does. */
function syntheticLister(objects: number): ObjectLister {
  return {
    listBuckets: async function* () {},
    async *listObjects(bucket: string) {
      for (let first = 0; first < objects; first += 1000) {
        const page: ListedObject[] = [];
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
  const [mode, rulesText = '', bucket = '', prefix = '', objects] = process.argv.slice(2);
  const lister = mode === 'plan' ? syntheticLister(Number(objects)) : createObjectLister();
  // Time spent waiting for listing pages, as opposed to the sweep's own work.
  let listingMs = 0;
  let listed = 0;
  const timedLister: ObjectLister = {
    listBuckets: () => lister.listBuckets(),
    async *listObjects(b: string, p: string) {
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
    const rules = compileRules(
      parseConfig(rulesText, 'bench.yaml') as Parameters<typeof compileRules>[0],
      'bench.yaml',
    );
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
