/**
 * Registers the `autoload` CloudEvent function with the Functions Framework and wires the
 * real clients. Everything else lives in handler.ts and the modules it calls.
 */
import { cloudEvent } from '@google-cloud/functions-framework';
import { withEventBudget, withoutEventBudget } from './gcp/budget';
import { createGoogleClients } from './gcp/clients';
import { createMarkerWriter } from './gcp/storage/markers';
import { log } from './log';
import { createObjectActions } from './outcomes/post-load';
import { createHandler, type IncomingEvent } from './pipeline/handler';
import { configLocation, loadRules } from './rules/load';
import { readSettings } from './settings';
import { createSweeper } from './sweep/wire';

const settings = readSettings();
// One edge to Google for everything below: one token, one set of keep-alive connections.
const google = createGoogleClients(settings);
const { bigquery, objects, uploads, publisher, lister, markers } = google;

const location = configLocation();
// Loaded once per instance, at cold start. A broken rules file stops the instance: serving
// with no rules would acknowledge (and so lose) every event.
const rules = loadRules(location, (uri) => objects.readText(uri));
rules.then(
  (compiled) => log('INFO', `rules loaded from ${location}`, { routes: compiled.routes.length }),
  (error: unknown) => {
    log('CRITICAL', error instanceof Error ? error.message : String(error), {
      config: location,
    });
    process.exit(1);
  },
);

const runtimeProject = google.runtimeProject;
// The "submitted" marker after a per-object load is best effort (a missing one costs one
// catch-up insert answered 409): a short budget keeps an unreachable Cloud Storage from
// delaying every acknowledgement by a whole retry budget.
const eventMarkers = createMarkerWriter({
  edge: google.edge,
  retry: { budgetMs: 2_000, maxAttempts: 3 },
});
const actions = createObjectActions({ changes: google.changes });
const outcomes = {
  getJob: (projectId: string, jobId: string, location: string) =>
    bigquery.getJob(projectId, jobId, location),
  getObject: objects.getObject,
  getLiveObject: objects.getLiveObject,
  markers,
  // Moves and deletes need roles/storage.objectUser on the source and target buckets.
  actions,
  publish: publisher.publish,
};
const sweep = createSweeper({
  rules: () => rules,
  runtimeProject,
  bigquery,
  markers,
  lister,
  reconcile: outcomes,
  retry: settings.retry,
});

const handle = createHandler({
  rules: () => rules,
  runtimeProject,
  insertJob: (plan) => bigquery.insertJob(plan),
  getObject: (pointer) => objects.getObject(pointer),
  external: {
    insertJob: (plan) => bigquery.insertJob(plan),
    uploadJob: (plan, data, upload) => uploads.uploadJob(plan, data, upload),
    getLiveObject: (bucket, name) => objects.getLiveObject(bucket, name),
    listPrefix: (bucket, prefix) => lister.listObjects(bucket, prefix),
    publisher,
  },
  markers: eventMarkers,
  // A sweep lists and loads far more than one event's budget covers: its calls retry on
  // budgets of their own.
  sweep: (command) => withoutEventBudget(() => sweep(command)),
  outcomes,
});
// Every Google call made for one event shares one retry budget (AUTOLOADER_RETRY_BUDGET_MS).
cloudEvent('autoload', (event: IncomingEvent) =>
  withEventBudget(settings.retryBudgetMs, () => handle(event)),
);
