/**
 * Files per second through a transform + dedupe route against plain loads of the same
 * files (docs/transforms.md), end to end on the local stack: the built function under the
 * Functions Framework, the local Cloud Storage and the DuckDB-backed BigQuery. Each event
 * waits in-process (`wait`) for its load — and, for the staged route, for its query — so the
 * figure is files finished per second, jobs included. Absolute numbers are DuckDB's on this
 * machine; the ratio is the cost of the staging table, the column decision and the MERGE.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBigQueryServer } from '../dev/bigquery/server';
import { startGcsServer } from '../dev/gcs/server';
import { startMetadataServer } from '../dev/metadata-server';
import { startHandler } from './function-process';

const PROJECT = 'bench-project';
const BUCKET = 'bench-staged';
const SCHEMA = {
  fields: [
    { name: 'id', type: 'INT64' },
    { name: 'amount', type: 'NUMERIC' },
    { name: 'seq', type: 'INT64' },
  ],
};
const route = (name: string, extra: Record<string, unknown>) => ({
  name,
  match: `gs://${BUCKET}/${name}/*.ndjson`,
  destination: `raw.${name}`,
  schema: SCHEMA,
  wait: { timeoutSeconds: 600 },
  ...extra,
});
const RULES = {
  location: 'EU',
  routes: [
    route('plain', {}),
    route('staged', {
      transform:
        'SELECT SAFE_CAST(id AS INT64) AS id, SAFE_CAST(amt AS NUMERIC) AS amount, SAFE_CAST(seq AS INT64) AS seq FROM {staging}',
      dedupe: { key: ['id'], keep: 'latest', order_by: 'seq' },
    }),
  ],
};

export interface StagedFigures {
  files: number;
  rowsPerFile: number;
  concurrency: number;
  plain: { filesPerSecond: number; jobs: number };
  staged: { filesPerSecond: number; jobs: number; rows: number };
}

/** `files` files per route, `rowsPerFile` rows each, keys overlapping between files. */
export async function measureStaged(
  files = 60,
  rowsPerFile = 20,
  concurrency = 4,
): Promise<StagedFigures> {
  const rootDir = mkdtempSync(join(tmpdir(), 'bqal-bench-staged-'));
  mkdirSync(join(rootDir, 'buckets'), { recursive: true });
  const metadata = await startMetadataServer({ projectId: PROJECT });
  const gcs = await startGcsServer({ rootDir });
  const bigquery = await startBigQueryServer({
    bucketsDir: join(rootDir, 'buckets'),
    projectId: PROJECT,
  });
  const rules = join(rootDir, 'autoloader.json');
  writeFileSync(rules, JSON.stringify(RULES));
  const fn = await startHandler(
    { name: 'bq-autoloader', target: 'autoload' },
    {
      GOOGLE_CLOUD_PROJECT: PROJECT,
      GCE_METADATA_HOST: metadata.host,
      STORAGE_EMULATOR_HOST: gcs.emulatorHost,
      BIGQUERY_EMULATOR_HOST: bigquery.host,
      AUTOLOADER_CONFIG: rules,
    },
  );
  // jobs.insert calls that made a job (a dry run makes none). The server keeps the last
  // 2,000 requests: `files` stays small enough for both runs to fit.
  const jobInserts = () =>
    bigquery.requests.filter(
      (r) => r.method === 'POST' && /\/jobs$/.test(r.path) && !r.body.includes('"dryRun":true'),
    ).length;
  try {
    const run = async (name: string) => {
      const events = Array.from({ length: files }, (_, f) => {
        const lines = Array.from({ length: rowsPerFile }, (_, r) => {
          const id = (f * rowsPerFile + r) % ((files * rowsPerFile) / 2);
          return JSON.stringify({ id: String(id), amt: `${r}.5`, seq: String(f) });
        });
        const object = `${name}/${f}.ndjson`;
        const stored = gcs.store.insert(BUCKET, object, Buffer.from(`${lines.join('\n')}\n`), {});
        return finalizeEvent(object, stored.generation, Number(stored.size));
      });
      const jobsBefore = jobInserts();
      const started = process.hrtime.bigint();
      await inParallel(events, concurrency, (event) => post(fn.url, event));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { filesPerSecond: files / seconds, jobs: jobInserts() - jobsBefore };
    };
    const plain = await run('plain');
    const staged = await run('staged');
    const [count] = await bigquery.query('SELECT count(*)::INTEGER AS n FROM raw.staged');
    return {
      files,
      rowsPerFile,
      concurrency,
      plain,
      staged: { ...staged, rows: Number(count?.n) },
    };
  } finally {
    await fn.stop();
    await bigquery.close();
    await gcs.close();
    await metadata.close();
  }
}

function finalizeEvent(name: string, generation: string, size: number) {
  const body = JSON.stringify({
    bucket: BUCKET,
    name,
    generation,
    metageneration: '1',
    size: String(size),
  });
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${BUCKET}`,
      'ce-subject': `objects/${name}`,
      'ce-id': `staged-${name}`,
      'ce-time': '2026-11-29T10:00:00.000Z',
    },
    body,
  };
}

const agent = new Agent({ keepAlive: true });

function post(url: string, event: ReturnType<typeof finalizeEvent>): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: event.headers, agent }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 204
          ? resolve()
          : reject(new Error(`status ${res.statusCode} for ${event.headers['ce-subject']}`)),
      );
    });
    req.on('error', reject);
    req.end(event.body);
  });
}

async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** The table rows docs/performance.md shows. */
export function stagedTable(f: StagedFigures): string[] {
  const ratio = f.staged.filesPerSecond / f.plain.filesPerSecond;
  return [
    `Transform + dedupe (local stack, DuckDB; ${f.files} files × ${f.rowsPerFile} rows, ${f.concurrency} at a time, each waited for)`,
    '| route | files/s | jobs (load + query) |',
    '|---|---|---|',
    `| plain load | ${f.plain.filesPerSecond.toFixed(1)} | ${f.plain.jobs} |`,
    `| transform + dedupe | ${f.staged.filesPerSecond.toFixed(1)} (${ratio.toFixed(2)}× plain) | ${f.staged.jobs} |`,
    `Distinct keys after dedupe: ${f.staged.rows}.`,
  ];
}
