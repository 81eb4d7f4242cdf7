/**
 * `npm start`: the whole loader on the embedded local stack, no Google Cloud account needed.
 * Starts the local metadata, GCS and BigQuery (DuckDB) servers, the function under the real
 * Functions Framework, and a watcher that turns files dropped into <local dir>/buckets/B/…
 * into Eventarc-style finalize events; in this process, a reconcile loop that marks each
 * load's outcome and a status page (docs/local-stack.md). Ctrl-C stops all of it; the
 * warehouse file stays.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { envWholeNumber } from '../src/core/env';
import { startBigQueryServer } from './bigquery/server';
import { startGcsServer } from './gcs/server';
import { openLocalLoader } from './local-loader';
import { startMetadataServer } from './metadata-server';
import { finishedLine, reconcileInterval, startReconcileLoop } from './reconcile-loop';
import { type LocalStackInfo, stackFile } from './stack-info';
import { startStatusServer } from './status/server';
import { startWatcher } from './watcher';

const PROJECT = 'local-project';
/** The status page's port; default: any free one (printed, and in local/stack.json). */
const STATUS_PORT_ENV = 'AUTOLOADER_STATUS_PORT';

async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const localDir = resolve(env.AUTOLOADER_LOCAL_DIR || './local');
  const bucketsDir = join(localDir, 'buckets');
  mkdirSync(bucketsDir, { recursive: true });
  const config = resolve(
    env.AUTOLOADER_CONFIG ||
      (existsSync('./autoloader.yaml') ? './autoloader.yaml' : './examples/autoloader.yaml'),
  );
  const functionPort = Number(env.PORT || 8080);

  const metadata = await startMetadataServer({ projectId: PROJECT });
  const gcs = await startGcsServer({ rootDir: localDir });
  const bigquery = await startBigQueryServer({
    bucketsDir,
    warehousePath: join(localDir, 'warehouse.duckdb'),
    projectId: PROJECT,
  });

  // The function and the stack's own helpers (reconcile loop, status page) reach the local
  // servers through the same variables; set on process.env, since google-auth-library and
  // gcp-metadata read it there.
  const loaderEnv = Object.assign(env, {
    AUTOLOADER_CONFIG: config,
    GCE_METADATA_HOST: metadata.host,
    METADATA_SERVER_DETECTION: 'assume-present',
    GOOGLE_CLOUD_PROJECT: PROJECT,
    STORAGE_EMULATOR_HOST: gcs.emulatorHost,
    BIGQUERY_EMULATOR_HOST: bigquery.host,
  });
  // Before the function starts: a bad setting, rules file or busy port stops here, with
  // nothing left running.
  const intervalMs = reconcileInterval(env);
  const loader = await openLocalLoader(loaderEnv, config);
  // A bucket folder for each route, so there is a place to drop files and nothing to list
  // fails on a bucket that does not exist yet.
  for (const route of loader.rules.routes) {
    if (!route.bucketPattern.includes('*'))
      mkdirSync(join(bucketsDir, route.bucketPattern), { recursive: true });
  }
  const status = await startStatusServer({
    loader,
    bigqueryUrl: bigquery.url,
    port: envWholeNumber(env, STATUS_PORT_ENV, 'port number') ?? 0,
  });

  const fn = spawn(
    process.execPath,
    [
      // The framework CLI listens on every interface; the local stack stays on loopback.
      '--require',
      resolve(__dirname, 'loopback-only.js'),
      resolve(__dirname, '../node_modules/@google-cloud/functions-framework/build/src/main.js'),
      '--target=autoload',
      '--signature-type=cloudevent',
      `--port=${functionPort}`,
    ],
    {
      cwd: resolve(__dirname, '..'),
      env: loaderEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const functionUrl = `http://127.0.0.1:${functionPort}`;
  await waitForServing(fn);

  const watcher = await startWatcher({ rootDir: localDir, store: gcs.store, functionUrl });
  // Finishes loads whose job is DONE, as a scheduled sweep's reconcile step does, and says so.
  const reconciler = startReconcileLoop({
    loader,
    intervalMs,
    onFinished: (load) => process.stderr.write(`${finishedLine(load)}\n`),
    onError: (message) => process.stderr.write(`reconcile loop: ${message}\n`),
  });
  const info: LocalStackInfo = {
    project: PROJECT,
    functionUrl,
    bigqueryUrl: bigquery.url,
    gcsUrl: gcs.url,
    metadataHost: metadata.host,
    config,
    statusUrl: status.url,
  };
  writeFileSync(stackFile(localDir), `${JSON.stringify(info, null, 2)}\n`);

  process.stderr.write(
    [
      '',
      'bq-autoloader is running on the local stack.',
      `  status:     ${status.url}   (loads, errors, tables, rules, replay)`,
      `  rules:      ${config}`,
      `  drop files: ${bucketsDir}/<bucket>/<object name>`,
      `              e.g. cp -r examples/buckets/. ${bucketsDir}/`,
      `  query:      npx bq-autoloader local query "SELECT * FROM raw.sales_eu LIMIT 10"`,
      `  function:   ${functionUrl}   BigQuery: ${bigquery.url}   GCS: ${gcs.url}`,
      `  node:       ${process.version} (${process.execPath})`,
      '  Ctrl-C stops everything; the warehouse is kept in',
      `              ${join(localDir, 'warehouse.duckdb')}`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\nstopping…\n');
    await watcher.close();
    await Promise.all([reconciler.close(), status.close()]);
    loader.close();
    fn.kill('SIGTERM');
    await Promise.all([bigquery.close(), gcs.close(), metadata.close()]);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  fn.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`the function exited (${code}); see its log above\n`);
      void stop().then(() => process.exit(1));
    }
  });
}

/** The function's log lines go to our stdout; "Serving function" means it is listening. */
function waitForServing(fn: ChildProcess): Promise<void> {
  return new Promise((resolveReady, rejectReady) => {
    let seen = '';
    fn.stdout?.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (!seen.includes('Serving function')) {
        seen += chunk.toString('utf8');
        if (seen.includes('Serving function')) resolveReady();
      }
    });
    fn.once('exit', (code) => rejectReady(new Error(`the function exited with ${code}`)));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
