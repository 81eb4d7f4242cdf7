/**
 * Turns files written under `<rootDir>/buckets/B/N` (by hand or through the local GCS server)
 * into the CloudEvent Eventarc delivers for a finalized object, posted in binary mode to the
 * function: https://cloud.google.com/eventarc/docs/cloudevents#cloud-storage
 * and https://github.com/googleapis/google-cloudevents/blob/main/proto/google/events/cloud/storage/v1/data.proto
 *
 * Every new generation fires exactly once: a file fires only when it is completely written
 * (chokidar's awaitWriteFinish), and a file event whose generation already fired (a second
 * notification for the same write) is dropped.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { watch } from 'chokidar';
import { type LogFields, log, type Severity } from '../src/log';
import type { StoredObject } from './gcs/object';
import { objectResource } from './gcs/resource';
import type { GcsStore } from './gcs/store';
import { rescanLater } from './watcher-rescan';

export const FINALIZED_TYPE = 'google.cloud.storage.object.v1.finalized';

export interface WatcherEvent {
  bucket: string;
  name: string;
  generation: string;
  eventId: string;
  /** HTTP status of the last attempt; undefined when the function never answered. */
  status?: number;
  attempts: number;
  delivered: boolean;
}

export interface WatcherOptions {
  rootDir: string;
  store: GcsStore;
  /** Where the function listens, e.g. `http://127.0.0.1:8080`. */
  functionUrl: string;
  /** Called once per event after its delivery succeeded or was given up. */
  onEvent?: (info: WatcherEvent) => void;
  /** How long a file's size must stay unchanged before it counts as written (default 500 ms). */
  stabilityMs?: number;
  /** Attempts per event while the function answers 5xx or is not up (default 5). */
  attempts?: number;
  /** First retry delay, doubled per attempt (default 250 ms). */
  retryDelayMs?: number;
  logger?: (severity: Severity, message: string, fields: LogFields) => void;
}

export interface Watcher {
  close(): Promise<void>;
}

/** Names editors, browsers and copy tools use for files still being written. */
const TEMPORARY = [
  /\.tmp$/i,
  /\.temp$/i,
  /\.swp$/i,
  /\.part$/i,
  /\.crdownload$/i,
  /~$/,
  /^\.~/,
  /^~\$/,
  /^\.#/,
];

export function isTemporaryFile(path: string): boolean {
  const name = basename(path);
  return TEMPORARY.some((re) => re.test(name));
}

export async function startWatcher(options: WatcherOptions): Promise<Watcher> {
  const { store, functionUrl } = options;
  const logger = options.logger ?? log;
  const stabilityMs = options.stabilityMs ?? 500;
  const maxAttempts = options.attempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const fired = new Map<string, string>(); // "B/N" → last generation posted
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();

  const watcher = watch(store.bucketsDir, {
    ignoreInitial: true,
    awaitWriteFinish: {
      stabilityThreshold: stabilityMs,
      pollInterval: Math.min(100, stabilityMs / 2),
    },
    ignored: (path) => isTemporaryFile(path),
  });

  const onFile = (path: string): void => {
    const where = store.locate(path);
    if (!where) return;
    let object: StoredObject | undefined;
    try {
      object = store.lookup(where.bucket, where.name);
    } catch (err) {
      logger('WARNING', 'local watcher: file is not a valid object', {
        object: `gs://${where.bucket}/${where.name}`,
        reason: (err as Error).message,
      });
      return;
    }
    if (!object) return;
    const key = `${object.bucket}/${object.name}`;
    if (fired.get(key) === object.generation) return;
    fired.set(key, object.generation);
    const delivery = deliver(object).finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  };

  async function deliver(object: StoredObject): Promise<void> {
    const eventId = randomUUID();
    const info: WatcherEvent = {
      bucket: object.bucket,
      name: object.name,
      generation: object.generation,
      eventId,
      attempts: 0,
      delivered: false,
    };
    const fields = {
      object: `gs://${object.bucket}/${object.name}#${object.generation}`,
      eventId,
      eventType: FINALIZED_TYPE,
    };
    const request = finalizedEvent(object, eventId);
    for (let attempt = 1; attempt <= maxAttempts && !abort.signal.aborted; attempt++) {
      info.attempts = attempt;
      try {
        const res = await fetch(functionUrl, { ...request, signal: abort.signal });
        info.status = res.status;
        await res.arrayBuffer();
        if (res.ok) {
          info.delivered = true;
          logger('INFO', 'local watcher: finalize event delivered', {
            ...fields,
            status: res.status,
          });
          break;
        }
        if (res.status < 500) {
          logger('WARNING', 'local watcher: the function refused the event', {
            ...fields,
            status: res.status,
          });
          break;
        }
        logger('WARNING', 'local watcher: the function failed; retrying', {
          ...fields,
          status: res.status,
          attempt,
        });
      } catch (err) {
        if (abort.signal.aborted) break;
        info.status = undefined;
        logger('WARNING', 'local watcher: the function is not reachable; retrying', {
          ...fields,
          reason: (err as Error).message,
          attempt,
        });
      }
      if (attempt < maxAttempts) await sleep(retryDelayMs * 2 ** (attempt - 1), abort.signal);
    }
    // Closing the watcher abandons deliveries on purpose: only a real give-up is an ERROR.
    if (!info.delivered && !abort.signal.aborted)
      logger('ERROR', 'local watcher: gave up delivering the event', {
        ...fields,
        attempts: info.attempts,
      });
    options.onEvent?.(info);
  }

  watcher.on('add', onFile);
  watcher.on('change', onFile);
  const onSettled = (path: string) => {
    if (!isTemporaryFile(path)) onFile(path);
  };
  watcher.on('addDir', (dir) => rescanLater(dir, stabilityMs, onSettled, abort.signal));
  watcher.on('error', (err) =>
    logger('ERROR', 'local watcher: file watching failed', { reason: String(err) }),
  );
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  return {
    async close() {
      abort.abort();
      await watcher.close();
      await Promise.all([...inFlight]);
    },
  };
}

/**
 * The binary-mode HTTP request Eventarc sends for a finalized object: CloudEvent attributes in
 * `ce-` headers, the StorageObjectData as the JSON body (int64 fields as strings, as in real events).
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md#31-binary-content-mode
 */
export function finalizedEvent(
  object: StoredObject,
  eventId: string,
): { method: 'POST'; headers: Record<string, string>; body: string } {
  const data = objectResource(object, 'https://www.googleapis.com');
  return {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      'ce-type': FINALIZED_TYPE,
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${object.bucket}`,
      'ce-subject': `objects/${object.name}`,
      'ce-id': eventId,
      'ce-time': object.updated,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(data),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
