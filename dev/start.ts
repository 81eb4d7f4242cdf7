/**
 * `npm start`: the whole loader on the embedded local stack, no Google Cloud account needed.
 * Starts the local metadata, GCS and BigQuery (DuckDB) servers, the function under the real
 * Functions Framework, and a watcher that turns files dropped into <local dir>/buckets/B/…
 * into Eventarc-style finalize events. Ctrl-C stops all of it; the warehouse file stays.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBigQueryServer } from './bigquery/server';
import { startGcsServer } from './gcs/server';
import { startMetadataServer } from './metadata-server';
import { lineFormatter } from './pretty-log';
import { type LocalStackInfo, stackFile } from './stack-info';
import { startWatcher } from './watcher';

const PROJECT = 'local-project';

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
      env: {
        ...env,
        AUTOLOADER_CONFIG: config,
        GCE_METADATA_HOST: metadata.host,
        METADATA_SERVER_DETECTION: 'assume-present',
        GOOGLE_CLOUD_PROJECT: PROJECT,
        STORAGE_EMULATOR_HOST: gcs.emulatorHost,
        BIGQUERY_EMULATOR_HOST: bigquery.host,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const functionUrl = `http://127.0.0.1:${functionPort}`;
  await waitForServing(fn);

  const watcher = await startWatcher({ rootDir: localDir, store: gcs.store, functionUrl });
  const info: LocalStackInfo = {
    project: PROJECT,
    functionUrl,
    bigqueryUrl: bigquery.url,
    gcsUrl: gcs.url,
    metadataHost: metadata.host,
    config,
  };
  writeFileSync(stackFile(localDir), `${JSON.stringify(info, null, 2)}\n`);

  process.stderr.write(
    [
      '',
      'bq-autoloader is running on the local stack.',
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

/**
 * The function's log lines go to our stdout, one readable line each (pretty-log.ts; JSON
 * with `npm start -- --json-logs`); "Serving function" means it is listening.
 */
function waitForServing(fn: ChildProcess): Promise<void> {
  const print = lineFormatter(
    (text) => process.stdout.write(text),
    process.argv.includes('--json-logs'),
  );
  return new Promise((resolveReady, rejectReady) => {
    let seen = '';
    fn.stdout?.on('data', (chunk: Buffer) => {
      print(chunk);
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
