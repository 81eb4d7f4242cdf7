/**
 * Reads Cloud Storage objects with @google-cloud/storage: the metadata of one exact
 * generation (a GCS notification without payload names it), and small text objects such as
 * the rules file. `STORAGE_EMULATOR_HOST` is honoured by the library itself.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/get
 */
import { Storage } from '@google-cloud/storage';
import { parseGsUri } from '../../core/gs-uri';
import { PermanentError } from '../../errors';
import { describeIssues } from '../../events/reasons';
import { StorageObjectDataSchema, toObjectRef } from '../../events/storage-object';
import type { ObjectPointer, ObjectRef } from '../../types';
import { type RetryOptions, withRetry } from '../bigquery/retry';
import { classifyStorageError, storageStatus } from './errors';

export interface ObjectReaderOptions {
  /** Default: a client with the library's own retries off, so retry.ts is the only policy. */
  storage?: Storage;
  retry?: RetryOptions;
}

export interface ObjectReader {
  /** The metadata of exactly this generation; undefined when it no longer exists. */
  getObject(pointer: ObjectPointer): Promise<ObjectRef | undefined>;
  /** The metadata of the live (current) generation; undefined when there is none. */
  getLiveObject(bucket: string, name: string): Promise<ObjectRef | undefined>;
  /** The whole object as UTF-8 text (small objects only: it is held in memory). */
  readText(gsUri: string): Promise<string>;
}

export function createObjectReader(options: ObjectReaderOptions = {}): ObjectReader {
  const storage = options.storage ?? new Storage({ retryOptions: { autoRetry: false } });
  const retry = options.retry;

  /** Runs one call under the retry policy, its failures classified; 404 → undefined. */
  async function attempt<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    return withRetry(async () => {
      try {
        return await call();
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw classifyStorageError(error, what) ?? error;
      }
    }, retry);
  }

  async function getObject(pointer: ObjectPointer): Promise<ObjectRef | undefined> {
    // Pinned: a newer generation is another load, announced by its own event.
    return readMetadata(pointer.bucket, pointer.name, pointer.generation);
  }

  async function getLiveObject(bucket: string, name: string): Promise<ObjectRef | undefined> {
    return readMetadata(bucket, name, undefined);
  }

  async function readMetadata(
    bucket: string,
    name: string,
    generation: string | undefined,
  ): Promise<ObjectRef | undefined> {
    const what = `gs://${bucket}/${name}${generation === undefined ? '' : `#${generation}`}`;
    const file = storage.bucket(bucket).file(name, generation === undefined ? {} : { generation });
    const metadata = await attempt(what, async () => (await file.getMetadata())[0]);
    if (metadata === undefined) return undefined;
    const parsed = StorageObjectDataSchema.safeParse(metadata);
    if (!parsed.success) {
      throw new PermanentError(
        `Cloud Storage ${what}: unexpected object resource: ${describeIssues(parsed.error, 'object')}`,
      );
    }
    return toObjectRef(parsed.data);
  }

  async function readText(gsUri: string): Promise<string> {
    const object = parseGsUri(gsUri);
    if (!object) {
      throw new PermanentError(`not a Cloud Storage object URI (gs://BUCKET/NAME): ${gsUri}`, {
        reason: 'invalid',
      });
    }
    const { bucket, name } = object;
    const contents = await attempt(gsUri, async () => {
      const [buffer] = await storage.bucket(bucket).file(name).download();
      return buffer;
    });
    if (contents === undefined) {
      throw new PermanentError(`Cloud Storage ${gsUri}: not found`, {
        status: 404,
        reason: 'notFound',
      });
    }
    return contents.toString('utf8');
  }

  return { getObject, getLiveObject, readText };
}
