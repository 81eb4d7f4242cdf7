/**
 * `npm start`: the whole loader on the embedded local stack, no Google Cloud account needed.
 * Starts the local metadata, GCS and BigQuery (DuckDB) servers, the function under the real
 * Functions Framework, and a watcher that turns files dropped into <local dir>/buckets/B/…
 * into Eventarc-style finalize events; in this process, a reconcile loop that marks each
 * load's outcome and a status page (docs/local-stack.md). The rules file is reloaded when
 * it changes (docs/rules-validation.md). Ctrl-C stops all of it; the warehouse file stays.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LocalStackInfo, stackFile } from '../src/cli/local-stack';
import { rulesFile } from '../src/cli/rules';
import { envWholeNumber } from '../src/core/env';
import { setLogSink } from '../src/log';
import { readCliSettings } from '../src/settings';
import { startBigQueryServer } from './bigquery/server';
import { startFunctionRunner } from './function-runner';
import { startGcsServer } from './gcs/server';
import { openLocalLoader } from './local-loader';
import { startMetadataServer } from './metadata-server';
import { functionPort as checkedFunctionPort } from './port-check';
import { prettyLine } from './pretty-log';
import { finishedLine, reconcileInterval, startReconcileLoop } from './reconcile-loop';
import { requireGoodRules } from './rules-check';
import { reloadRulesOnChange } from './rules-reload';
import { ensureStagingDataset } from './staging-dataset';
import { startStatusServer } from './status/server';
import { startWatcher } from './watcher';

const PROJECT = 'local-project';
/** The status page's port; default: any free one (printed, and in local/stack.json). */
const STATUS_PORT_ENV = 'AUTOLOADER_STATUS_PORT';

async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // This process's own lines (the watcher's) read like the function's (function-runner.ts).
  const json = process.argv.includes('--json-logs');
  setLogSink((line) => process.stdout.write(`${json ? line : prettyLine(line)}\n`));
  // Found as every command finds them (src/settings.ts, src/cli/rules.ts), so `npm start`
  // and `npx bq-autoloader …` never disagree about the folder or the rules file.
  const localDir = resolve(readCliSettings(env).localDir);
  const bucketsDir = join(localDir, 'buckets');
  mkdirSync(bucketsDir, { recursive: true });
  const config = resolve(rulesFile(undefined, env));
  // Before anything listens: bad rules, a bad setting or a busy port stop here, with one
  // clear message.
  await requireGoodRules(config);
  const functionPort = await checkedFunctionPort(env);
  const intervalMs = reconcileInterval(env);
  const statusPort = envWholeNumber(env, STATUS_PORT_ENV, 'port number') ?? 0;

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
  const loader = await openLocalLoader(loaderEnv, config);
  // Staged routes (transform, dedupe, rescue) load into it, as Terraform makes it in the cloud.
  await ensureStagingDataset(bigquery.url, loader.rules, PROJECT);
  // A bucket folder for each route, so there is a place to drop files and nothing to list
  // fails on a bucket that does not exist yet.
  for (const route of loader.rules.routes) {
    if (!route.bucketPattern.includes('*'))
      mkdirSync(join(bucketsDir, route.bucketPattern), { recursive: true });
  }
  const status = await startStatusServer({ loader, bigqueryUrl: bigquery.url, port: statusPort });

  let stop = async (_code?: number): Promise<void> => undefined;
  const fn = await startFunctionRunner({
    port: functionPort,
    env: loaderEnv,
    jsonLogs: json,
    onUnexpectedExit: (code) => {
      process.stderr.write(`the function exited (${code}); see its log above\n`);
      void stop(1);
    },
  });
  const functionUrl = `http://127.0.0.1:${functionPort}`;

  const reload = await reloadRulesOnChange(config, async () => {
    await fn.restart();
    await loader.reloadRules();
    await ensureStagingDataset(bigquery.url, loader.rules, PROJECT);
  });
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
    statusUrl: status.url,
    config,
  };
  writeFileSync(stackFile(localDir), `${JSON.stringify(info, null, 2)}\n`);

  process.stderr.write(
    [
      '',
      'bq-autoloader is running on the local stack.',
      `  status:     ${status.url}   (loads, errors, tables, rules, replay)`,
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
    await Promise.all([watcher.close(), reload.close(), reconciler.close(), status.close()]);
    loader.close();
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
