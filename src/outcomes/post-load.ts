/**
 * Post-load actions on the source object (route options `onSuccess`, `onFailure`):
 * keep, delete, or move to `gs://bucket/prefix/` + the object's name.
 *
 * Every call is pinned to the loaded generation, so a newer generation (an overwrite while
 * the file was loading) is never touched: the copy reads `sourceGeneration`, the delete has
 * `ifGenerationMatch`. A move is copy-then-delete: if the delete fails the object exists
 * twice (retried later), never zero times. Both steps are idempotent, so a redelivered
 * event simply repeats them.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/rewrite
 * https://cloud.google.com/storage/docs/request-preconditions
 */
import { Storage } from '@google-cloud/storage';
import type { OnFailure, OnSuccess } from '../config/outcomes-schema';
import { gsUriAt, parseGsPrefix } from '../core/gs-uri';
import { PermanentError } from '../errors';
import { type RetryOptions, withRetry } from '../gcp/bigquery/retry';
import { classifyStorageError, storageStatus } from '../gcp/storage/errors';

export type PostLoadAction = OnSuccess | OnFailure;

/** `gone`: that generation no longer exists (already moved/deleted, or overwritten). */
export type ActionResult = 'kept' | 'deleted' | 'moved' | 'gone';

export interface ActionTarget {
  bucket: string;
  name: string;
  generation: string;
}

export interface ObjectActions {
  apply(action: PostLoadAction | undefined, object: ActionTarget): Promise<ActionResult>;
}

/** `gs://b/p/` + name → {bucket: b, name: p + name}. */
export function destinationOf(to: string, name: string): { bucket: string; name: string } {
  const folder = parseGsPrefix(to);
  if (!folder) throw new Error(`not a gs:// prefix: ${to}`);
  return { bucket: folder.bucket, name: `${folder.prefix}${name}` };
}

export function createObjectActions(
  options: { storage?: Storage; retry?: RetryOptions } = {},
): ObjectActions {
  const storage = options.storage ?? new Storage({ retryOptions: { autoRetry: false } });

  /** Runs one storage call with our retry policy; 404/412 mean the generation is gone. */
  async function step(what: string, call: () => Promise<unknown>): Promise<'done' | 'gone'> {
    return withRetry(async () => {
      try {
        await call();
        return 'done' as const;
      } catch (error) {
        const status = storageStatus(error);
        if (status === 404 || status === 412) return 'gone' as const;
        throw classifyStorageError(error, what) ?? error;
      }
    }, options.retry);
  }

  return {
    async apply(action, object) {
      if (!action || action.action === 'keep') return 'kept';
      const what = gsUriAt(object);
      const source = storage.bucket(object.bucket).file(object.name);
      const remove = () =>
        step(what, () => source.delete({ ifGenerationMatch: object.generation }));
      if (action.action === 'delete') {
        return (await remove()) === 'gone' ? 'gone' : 'deleted';
      }
      const to = destinationOf(action.to ?? '', object.name);
      const pinned = storage
        .bucket(object.bucket)
        .file(object.name, { generation: object.generation });
      const copied = await step(what, () => pinned.copy(storage.bucket(to.bucket).file(to.name)));
      if (copied === 'gone') {
        // 404 also means a missing target bucket: only a missing source is `gone`.
        const [exists] = await pinned.exists();
        if (!exists) return 'gone';
        throw new PermanentError(
          `cannot move ${what} to ${action.to}: the target bucket does not exist or cannot be written`,
        );
      }
      // The copy exists; a failure from here on is thrown and retried, the object is kept.
      await remove();
      return 'moved';
    },
  };
}
