/**
 * Registers the `autoload` CloudEvent function with the Functions Framework and wires the
 * real clients. Everything else lives in handler.ts and the modules it calls.
 *
 * Cold paths (sweeps, post-load actions, uploads of inline data, dead letters) are imported
 * on first use (`lazy`), so their modules and libraries are not loaded at cold start.
 */
import { cloudEvent } from '@google-cloud/functions-framework';
import { Storage } from '@google-cloud/storage';
import { GoogleAuth } from 'google-auth-library';
import { lazy } from './core/lazy';
import { PermanentError } from './errors';
import { bigQueryScopes, createBigQueryClient } from './gcp/bigquery/client';
import type { Publisher } from './gcp/pubsub/publisher';
import { createObjectLister } from './gcp/storage/listing';
import { createMarkerWriter } from './gcp/storage/markers';
import { createObjectReader } from './gcp/storage/objects';
import { log } from './log';
import type { ObjectActions } from './outcomes/post-load';
import { createHandler } from './pipeline/handler';
import { configLocation, loadRules } from './rules/load';
import { readSettings } from './settings';

const settings = readSettings();
const auth = new GoogleAuth({ scopes: bigQueryScopes() });
// One Storage client (one token cache, one connection pool) for every Cloud Storage edge;
// the library's own retries are off so src/gcp/bigquery/retry.ts is the only policy.
const storage = new Storage({ retryOptions: { autoRetry: false } });
const objects = createObjectReader({ storage, retry: settings.retry });
const bigquery = createBigQueryClient({ auth, retry: settings.retry });
const uploads = lazy(async () =>
  (await import('./gcp/bigquery/upload.js')).createUploadClient({
    auth,
    retry: settings.retry,
    getJob: (projectId, jobId, location) => bigquery.getJob(projectId, jobId, location),
  }),
);
// Dead letters need roles/pubsub.publisher on the dead-letter topic, and the Pub/Sub scope.
const pubsub = lazy(async () => {
  const { createPublisher, PUBSUB_SCOPE } = await import('./gcp/pubsub/publisher.js');
  return createPublisher({
    auth: new GoogleAuth({ scopes: [PUBSUB_SCOPE] }),
    retry: settings.retry,
  });
});
const publisher: Publisher = {
  publish: async (topic, message) => (await pubsub()).publish(topic, message),
};
// Load requests naming a prefix list it with the sweeps' lister, one page at a time.
const lister = createObjectLister({ storage, retry: settings.retry });

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

let project: Promise<string> | undefined;
const runtimeProject = () => {
  project ??= auth.getProjectId();
  return project;
};
// Markers need Cloud Storage write access (roles/storage.objectUser on the landing buckets).
const markers = createMarkerWriter({ storage, retry: settings.retry });
// Claims before each insert; AUTOLOADER_MARKERS=off trades the generation check for speed.
const claims = settings.markers ? markers : undefined;
const findJob = async (projectId: string, jobId: string, location: string) => {
  try {
    return await bigquery.getJob(projectId, jobId, location);
  } catch (error) {
    if (error instanceof PermanentError && error.status === 404) return undefined;
    throw error;
  }
};
const objectActions = lazy(async () =>
  (await import('./outcomes/post-load.js')).createObjectActions({ storage, retry: settings.retry }),
);
const actions: ObjectActions = {
  apply: async (action, object) => (await objectActions()).apply(action, object),
};
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
const sweeper = lazy(async () =>
  (await import('./sweep/wire.js')).createSweeper({
    rules: () => rules,
    runtimeProject,
    bigquery,
    markers,
    lister,
    reconcile: outcomes,
    retry: settings.retry,
  }),
);

cloudEvent(
  'autoload',
  createHandler({
    rules: () => rules,
    runtimeProject,
    insertJob: (plan) => bigquery.insertJob(plan),
    getLiveObject: (bucket, name) => objects.getLiveObject(bucket, name),
    external: {
      insertJob: (plan) => bigquery.insertJob(plan),
      uploadJob: async (plan, data, upload) => (await uploads()).uploadJob(plan, data, upload),
      getLiveObject: (bucket, name) => objects.getLiveObject(bucket, name),
      listPrefix: (bucket, prefix) => lister.listObjects(bucket, prefix),
      markers: claims,
      findJob,
      publisher,
    },
    markers: claims,
    findJob,
    sweep: async (command) => (await sweeper())(command),
    outcomes,
  }),
);
