/**
 * Builds the function: settings from the environment, the Google clients on one edge, the
 * rules (loaded once per instance), and the pipeline's handler with its dependencies. Cold
 * paths (sweeps) are imported on first use, so their code does not run at cold start.
 */
import { lazy } from '../core/lazy';
import { RefusedInputError } from '../errors';
import { withEventBudget, withoutEventBudget } from '../gcp/budget';
import { createGoogleClients, type GoogleClients } from '../gcp/clients';
import { createObjectActions } from '../outcomes/post-load';
import { withSnapshot } from '../outcomes/snapshot';
import type { CompiledRules } from '../routing/compile';
import { configLocation, readSettings, type Settings } from '../settings';
import type { SweepSummary } from '../sweep/summary';
import type { SweepCommand } from '../types';
import { createHandler, type IncomingEvent } from './handler';
import type { RequestDeps } from './requests/handle';
import { startUp } from './startup';

export interface Autoloader {
  handle: (event: IncomingEvent) => Promise<void>;
  /** Rejects (after a CRITICAL line) when the rules file is broken: the instance must stop. */
  rules: Promise<CompiledRules>;
  settings: Settings;
}

export function createAutoloader(env: NodeJS.ProcessEnv = process.env): Autoloader {
  const settings = readSettings(env);
  // One edge to Google for everything below: one token, one set of keep-alive connections.
  const google = createGoogleClients(settings, { env });
  const { bigquery, objects, uploads, publisher, lister } = google;
  const rules = startUp(configLocation(env), google, env);
  const outcomes = outcomeDeps(google);
  // Claims before each insert; AUTOLOADER_MARKERS=off trades the generation check for speed.
  const claims = settings.markers ? google.markers : undefined;
  // Routes with `snapshot` copy the claimed generation before the insert (outcomes/snapshot.ts).
  const insertJob = withSnapshot(bigquery.insertJob, google.changes);
  const handle = createHandler({
    rules: () => rules,
    runtimeProject: google.runtimeProject,
    insertJob,
    getLiveObject: objects.getLiveObject,
    markers: claims,
    findJob: bigquery.findJob,
    external: {
      insertJob,
      uploadJob: uploads.uploadJob,
      getLiveObject: objects.getLiveObject,
      listPrefix: lister.listObjects,
      markers: claims,
      findJob: bigquery.findJob,
      // Chunks of big requests go back to the requests topic: roles/pubsub.publisher on it.
      fanOut: { publish: publisher.publish, chunkObjects: settings.requestChunkObjects },
    },
    // Refused messages: roles/pubsub.publisher on deadLetterTopic, and with deadLetterStore,
    // roles/storage.objectCreator on its bucket.
    deadLetters: {
      publisher,
      writer: google.writer,
      retrySeconds: settings.deadLetterRetrySeconds,
    },
    sweep: sweepCommand(settings, google, rules, outcomes),
    outcomes,
    // Every Google call made for one event shares one retry budget (AUTOLOADER_RETRY_BUDGET_MS).
    withEventBudget: (work) => withEventBudget(settings.retryBudgetMs, work),
  });
  return { handle, rules, settings };
}

/** What finishes a load: completion events, sweeps' reconciling (also the CLI's), the local stack's reconcile loop. */
export function outcomeDeps(google: GoogleClients) {
  return {
    getJob: google.bigquery.getJob,
    // A failed batch is loaded again without the files its errors name (outcomes/batch-reload.ts).
    insertJob: google.bigquery.insertJob,
    getObject: google.objects.getObject,
    getLiveObject: google.objects.getLiveObject,
    markers: google.markers,
    // Moves and deletes need roles/storage.objectUser on the source and target buckets.
    actions: createObjectActions({ changes: google.changes }),
    publish: google.publisher.publish,
    discardSnapshot: google.changes.discard,
    // Staged loads' tables and query jobs (docs/transforms.md).
    staged: google.staged,
  };
}

/**
 * The sweep, built on first use. It lists and loads far more than one event's budget
 * covers: its calls retry on budgets of their own. Without markers a sweep could not tell
 * loaded objects from missed ones, and would insert every recent object again on every run.
 */
function sweepCommand(
  settings: Settings,
  google: GoogleClients,
  rules: Promise<CompiledRules>,
  outcomes: ReturnType<typeof outcomeDeps>,
): (command: SweepCommand) => Promise<SweepSummary> {
  if (!settings.markers) {
    return async () => {
      throw new RefusedInputError('sweeps need object markers, and AUTOLOADER_MARKERS is off');
    };
  }
  const sweeper = lazy(async () =>
    (await import('../sweep/wire.js')).createSweeper({
      rules: () => rules,
      runtimeProject: google.runtimeProject,
      bigquery: google.bigquery,
      markers: google.markers,
      lister: google.lister,
      changes: google.changes,
      reconcile: outcomes,
      retry: settings.retry,
      claimGraceSeconds: settings.sweepClaimGraceSeconds,
    }),
  );
  return async (command) => withoutEventBudget(async () => (await sweeper())(command));
}

/**
 * A retry run outside the function (the CLI's `retry`, the local status page's replay): the
 * request path's dependencies on `google`, with nothing published as chunks — every object is
 * retried in this process.
 */
export function inProcessRequestDeps(google: GoogleClients): RequestDeps {
  return {
    insertJob: withSnapshot(google.bigquery.insertJob, google.changes),
    getLiveObject: google.objects.getLiveObject,
    findJob: google.bigquery.findJob,
    markers: google.markers,
    listPrefix: google.lister.listObjects,
    fanOut: {
      publish: async () => {
        throw new Error('a request retried in process publishes nothing');
      },
      chunkObjects: Number.MAX_SAFE_INTEGER,
    },
  };
}
