/**
 * The page's "replay" button: the same retry as `bq-autoloader retry gs://…` (src/cli/retry.ts)
 * and `{"kind": "retry"}` requests — processLoadRequest with `retry: true`, which submits
 * the next attempt of an object whose last job failed and refuses anything else.
 */
import { parseGsUri } from '../../src/core/gs-uri';
import { withSnapshot } from '../../src/outcomes/snapshot';
import { processLoadRequest } from '../../src/pipeline/requests/handle';
import type { LocalLoader } from '../local-loader';

/** One line per object: what the retry did, in the words of its log line. */
export async function replayObject(loader: LocalLoader, uri: string): Promise<string> {
  const object = parseGsUri(uri);
  if (!object) return `replay refused: not an object URI: ${uri} (expected gs://BUCKET/NAME)`;
  const { google, rules } = loader;
  const lines: string[] = [];
  await processLoadRequest(
    {
      insertJob: withSnapshot(google.bigquery.insertJob, google.changes),
      getLiveObject: google.objects.getLiveObject,
      findJob: google.bigquery.findJob,
      markers: google.markers,
      listPrefix: google.lister.listObjects,
      // One object, retried here: nothing is published as chunks.
      fanOut: { publish: noPublishing, chunkObjects: Number.MAX_SAFE_INTEGER },
    },
    rules,
    { objects: [object], retry: true },
    { runtimeProject: await google.runtimeProject(), topic: '' },
    (_severity, message) => lines.push(message),
  );
  return `replay ${uri}: ${lines.join('; ') || 'nothing done'}`;
}

async function noPublishing(): Promise<string> {
  throw new Error('the status page publishes nothing');
}
