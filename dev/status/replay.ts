/**
 * The page's "replay" button: the same retry as `bq-autoloader retry gs://…` (src/cli/retry.ts)
 * and `{"kind": "retry"}` requests — processLoadRequest with `retry: true`, which submits
 * the next attempt of an object whose last job failed and refuses anything else.
 */
import { parseGsUri } from '../../src/core/gs-uri';
import { processLoadRequest } from '../../src/pipeline/requests/handle';
import { inProcessRequestDeps } from '../../src/pipeline/wire';
import type { LocalLoader } from '../local-loader';

/** One line per object: what the retry did, in the words of its log line. */
export async function replayObject(loader: LocalLoader, uri: string): Promise<string> {
  const object = parseGsUri(uri);
  if (!object) return `replay refused: not an object URI: ${uri} (expected gs://BUCKET/NAME)`;
  const { google, rules } = loader;
  const lines: string[] = [];
  await processLoadRequest(
    inProcessRequestDeps(google),
    rules,
    { objects: [object], retry: true },
    { runtimeProject: await google.runtimeProject(), topic: '' },
    (_severity, message) => lines.push(message),
  );
  return `replay ${uri}: ${lines.join('; ') || 'nothing done'}`;
}
