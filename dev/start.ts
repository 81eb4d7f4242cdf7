/**
 * `npm start`: the whole loader on the embedded local stack, no Google Cloud account needed.
 * Starts the local metadata, GCS and BigQuery (DuckDB) servers, the function under the real
 * Functions Framework, and a watcher that turns files dropped into <local dir>/buckets/B/…
 * into Eventarc-style finalize events. Ctrl-C stops all of it; the warehouse file stays.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBigQueryServer } from './bigquery/server';
import { startFunctionRunner } from './function-runner';
import { startGcsServer } from './gcs/server';
import { startMetadataServer } from './metadata-server';
import { functionPort as checkedFunctionPort } from './port-check';
import { requireGoodRules } from './rules-check';
import { reloadRulesOnChange } from './rules-reload';
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
  // Before anything listens: bad rules or a busy port stop here, with one clear message.
  await requireGoodRules(config);
  const functionPort = await checkedFunctionPort(env);

  const metadata = await startMetadataServer({ projectId: PROJECT });
  const gcs = await startGcsServer({ rootDir: localDir });
  const bigquery = await startBigQueryServer({
    bucketsDir,
    warehousePath: join(localDir, 'warehouse.duckdb'),
    projectId: PROJECT,
  });

  let stop = async (_code?: number): Promise<void> => undefined;
  const fn = await startFunctionRunner({
    port: functionPort,
    env: {
      ...env,
      AUTOLOADER_CONFIG: config,
      GCE_METADATA_HOST: metadata.host,
      METADATA_SERVER_DETECTION: 'assume-present',
      GOOGLE_CLOUD_PROJECT: PROJECT,
      STORAGE_EMULATOR_HOST: gcs.emulatorHost,
      BIGQUERY_EMULATOR_HOST: bigquery.host,
    },
    onUnexpectedExit: (code) => {
      process.stderr.write(`the function exited (${code}); see its log above\n`);
      void stop(1);
    },
  });
  const functionUrl = `http://127.0.0.1:${functionPort}`;

  const reload = await reloadRulesOnChange(config, () => fn.restart());
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
      `  rules:      ${config} (reloaded when it changes)`,
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
  stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\nstopping…\n');
    await Promise.all([watcher.close(), reload.close()]);
    fn.stop();
    await Promise.all([bigquery.close(), gcs.close(), metadata.close()]);
    process.exit(code);
  };
  process.on('SIGINT', () => stop());
  process.on('SIGTERM', () => stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
