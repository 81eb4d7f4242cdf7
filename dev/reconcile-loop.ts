/**
 * The local stack's reconcile loop: every few seconds it finishes loads whose job is DONE
 * with the production reconciliation (src/outcomes/reconcile.ts, the step scheduled sweeps
 * run), so every load's final state shows locally without completion events or `wait`.
 * Markers are compare-and-set: the loop and the function's own wait or events never both
 * finish a load, and whoever wins, the object ends in the same state. Each load this loop
 * finishes is announced once (the marker write that made it final), never again.
 */
import { envWholeNumber } from '../src/core/env';
import { gsUri } from '../src/core/gs-uri';
import type { MarkerWriter } from '../src/gcp/storage/markers';
import { type ReconcileSummary, reconcileSubmitted } from '../src/outcomes/reconcile';
import { outcomeDeps } from '../src/pipeline/wire';
import type { LocalLoader } from './local-loader';
import { clock } from './pretty-log';

export const RECONCILE_INTERVAL_ENV = 'AUTOLOADER_LOCAL_RECONCILE_MS';
const DEFAULT_INTERVAL_MS = 2000;

export interface FinishedLoad {
  at: Date;
  object: string;
  generation: string;
  jobId: string;
  state: 'loaded' | 'failed';
  rows?: string;
  error?: string;
}

export interface ReconcileLoopOptions {
  loader: LocalLoader;
  /** Pause between runs; default AUTOLOADER_LOCAL_RECONCILE_MS, else 2000. */
  intervalMs?: number;
  onFinished?: (load: FinishedLoad) => void;
  /** A run that stopped on an error (said once per distinct message). */
  onError?: (message: string) => void;
}

export interface ReconcileLoop {
  /** One run now (the loop's own runs never overlap with it). */
  runOnce(): Promise<ReconcileSummary>;
  close(): Promise<void>;
}

export function reconcileInterval(env: NodeJS.ProcessEnv): number {
  return envWholeNumber(env, RECONCILE_INTERVAL_ENV, 'milliseconds') || DEFAULT_INTERVAL_MS;
}

/** One terminal line: time, object, state, rows or error. */
export function finishedLine(load: FinishedLoad): string {
  // The same local clock as the function's lines beside it (pretty-log.ts).
  const time = clock(load.at);
  const what = load.state === 'loaded' ? `${load.rows ?? '?'} rows` : (load.error ?? '');
  return `${time}  ${load.object}  ${load.state}  ${what}`;
}

export function startReconcileLoop(options: ReconcileLoopOptions): ReconcileLoop {
  const { loader } = options;
  const { google } = loader;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deps = {
    ...outcomeDeps(google),
    markers: announcing(google.markers, (load) => options.onFinished?.(load)),
    lister: google.lister,
    runtimeProject: google.runtimeProject,
  };
  let lastError: string | undefined;
  const report = (message: string) => {
    if (message !== lastError) options.onError?.(message);
    lastError = message;
  };
  // One run at a time: a tick and runOnce() chain on the same queue.
  let queue: Promise<unknown> = Promise.resolve();
  const runOnce = (): Promise<ReconcileSummary> => {
    const run = queue.then(async () => {
      // Read on each run: `npm start` swaps the loader's rules when the file is reloaded.
      const { rules, projectId } = loader;
      const summary = await reconcileSubmitted(deps, rules, rules.routes, projectId);
      if (summary.error) report(summary.error);
      else lastError = undefined;
      return summary;
    });
    queue = run.catch(() => undefined);
    return run;
  };
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    runOnce()
      .catch((error: unknown) => report(error instanceof Error ? error.message : String(error)))
      .finally(() => {
        if (!closed) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    runOnce,
    async close() {
      closed = true;
      clearTimeout(timer);
      await queue;
    },
  };
}

/** The marker writer, telling `onFinished` about each final marker it wrote. */
function announcing(markers: MarkerWriter, onFinished: (load: FinishedLoad) => void): MarkerWriter {
  return {
    ...(markers.clear ? { clear: markers.clear.bind(markers) } : {}),
    async write(target, marker) {
      const result = await markers.write(target, marker);
      if (result.kind === 'written' && (marker.state === 'loaded' || marker.state === 'failed')) {
        onFinished({
          at: new Date(),
          object: gsUri(target),
          generation: target.generation,
          jobId: marker.jobId,
          state: marker.state,
          ...(marker.rows === undefined ? {} : { rows: marker.rows }),
          ...(marker.error === undefined ? {} : { error: marker.error }),
        });
      }
      return result;
    },
  };
}
