/**
 * Post-load actions on the source object (route options `onSuccess`, `onFailure`):
 * keep, delete, or move to `gs://bucket/prefix/` + the object's name.
 *
 * Every change is pinned to the loaded generation (src/gcp/storage/changes.ts), so a newer
 * generation (an overwrite while the file was loading) is never touched. A move is
 * copy-then-delete: if the delete fails the object exists twice (retried later), never zero
 * times. Both steps are idempotent, so a redelivered event simply repeats them.
 */
import type { OnFailure, OnSuccess } from '../config/outcomes-schema';
import { gsUriAt, parseGsPrefix } from '../core/gs-uri';
import { PermanentError } from '../errors';
import type { RetryOptions } from '../gcp/retry';
import { createObjectChanges, type ObjectChanges } from '../gcp/storage/changes';

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
  options: {
    changes?: Pick<ObjectChanges, 'copy' | 'delete' | 'exists'>;
    retry?: RetryOptions;
  } = {},
): ObjectActions {
  const changes = options.changes ?? createObjectChanges({ retry: options.retry });
  return {
    async apply(action, object) {
      if (!action || action.action === 'keep') return 'kept';
      if (action.action === 'delete') {
        return (await changes.delete(object)) === 'gone' ? 'gone' : 'deleted';
      }
      const copied = await changes.copy(object, destinationOf(action.to ?? '', object.name));
      if (copied === 'gone') {
        // 404 also means a missing target bucket: only a missing source is `gone`.
        if (!(await changes.exists(object))) return 'gone';
        const what = gsUriAt(object);
        throw new PermanentError(
          `cannot move ${what} to ${action.to}: the target bucket does not exist or cannot be written`,
        );
      }
      // The copy exists; a failure from here on is thrown and retried, the object is kept.
      await changes.delete(object);
      return 'moved';
    },
  };
}
