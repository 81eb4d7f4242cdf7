/**
 * Changes to objects after a load (src/outcomes/post-load.ts decides which): a copy of one
 * exact generation, and a delete of one exact generation. Both are pinned, so a newer
 * generation (an overwrite while the file was loading) is never touched, and both are
 * idempotent, so a redelivered event simply repeats them.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/rewrite
 * https://cloud.google.com/storage/docs/json_api/v1/objects/delete
 * https://cloud.google.com/storage/docs/request-preconditions
 */
import { gsUri, gsUriAt } from '../../core/gs-uri';
import { RetryableError } from '../../errors';
import { createGoogleEdge, type GoogleEdge } from '../edge';
import { statusOf } from '../errors';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';
import { objectUrl, queryString } from './urls';

export interface PinnedObject {
  bucket: string;
  name: string;
  generation: string;
}

/** `gone`: the answer was 404 or 412 — that generation (or, for a copy, the target bucket) is not there. */
export type ChangeResult = 'done' | 'gone';

export interface ObjectChanges {
  /** Copies exactly this generation, metadata included, to `target`. */
  copy(source: PinnedObject, target: { bucket: string; name: string }): Promise<ChangeResult>;
  /** Deletes exactly this generation (`ifGenerationMatch`). */
  delete(object: PinnedObject): Promise<ChangeResult>;
  /** Whether exactly this generation exists. */
  exists(object: PinnedObject): Promise<boolean>;
  /**
   * Snapshot mode: copies exactly this generation (`ifSourceGenerationMatch`) to `target`,
   * only if `target` does not exist yet (`ifGenerationMatch=0`). `exists`: an earlier
   * delivery copied it; `gone`: the generation no longer exists.
   */
  snapshot(
    source: PinnedObject,
    target: { bucket: string; name: string },
  ): Promise<'copied' | 'exists' | 'gone'>;
  /** Deletes whatever generation `object` has (snapshots: one name per job); `gone` if none. */
  discard(object: { bucket: string; name: string }): Promise<ChangeResult>;
}

/** What every request of one client needs. */
interface ChangesContext {
  edge: GoogleEdge;
  retry: ReturnType<typeof retryPolicy>;
  base: string;
}

export function createObjectChanges(
  options: { edge?: GoogleEdge; retry?: RetryOptions } = {},
): ObjectChanges {
  const edge = options.edge ?? createGoogleEdge();
  const ctx: ChangesContext = {
    edge,
    retry: retryPolicy(options.retry),
    get base() {
      return edge.endpoints.storage;
    },
  };
  return {
    copy: (source, target) => copy(ctx, source, target),
    delete: (object) => remove(ctx, object),
    exists: (object) => exists(ctx, object),
    snapshot: (source, target) => snapshot(ctx, source, target),
    discard: (object) => discard(ctx, object),
  };
}

/** One request under the retry policy: its parsed answer, or `gone` for 404 and 412. */
function send(
  ctx: ChangesContext,
  what: string,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  json?: unknown,
): Promise<{ body: unknown } | 'gone'> {
  return withRetry(async ({ deadline }) => {
    try {
      const answer = await ctx.edge.call({ service: 'storage', method, url, json, what, deadline });
      return { body: answer.json() };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 412) return 'gone' as const;
      throw error;
    }
  }, ctx.retry);
}

/**
 * objects.rewrite copies a large object in several calls: each answers `done: false` with
 * a `rewriteToken` to send back until the copy is complete. An empty body keeps the
 * source's metadata.
 */
async function copy(
  ctx: ChangesContext,
  source: PinnedObject,
  target: { bucket: string; name: string },
  preconditions: Record<string, string> = {},
): Promise<ChangeResult> {
  const what = `Cloud Storage copy ${gsUriAt(source)}`;
  const path = `${objectUrl(ctx.base, source.bucket, source.name)}/rewriteTo/b/${encodeURIComponent(target.bucket)}/o/${encodeURIComponent(target.name)}`;
  let rewriteToken: string | undefined;
  for (;;) {
    const query = queryString({
      sourceGeneration: source.generation,
      ...preconditions,
      rewriteToken,
    });
    const answer = await send(ctx, what, 'POST', `${path}${query}`, {});
    if (answer === 'gone') return 'gone';
    const progress = (answer.body ?? {}) as { done?: unknown; rewriteToken?: unknown };
    if (progress.done !== false) return 'done';
    if (typeof progress.rewriteToken !== 'string') {
      throw new RetryableError(`${what}: the copy is not done and no rewriteToken came back`);
    }
    rewriteToken = progress.rewriteToken;
  }
}

/** A 412 is either precondition: the target says which (it exists, or the source is gone). */
async function snapshot(
  ctx: ChangesContext,
  source: PinnedObject,
  target: { bucket: string; name: string },
): Promise<'copied' | 'exists' | 'gone'> {
  const preconditions = { ifSourceGenerationMatch: source.generation, ifGenerationMatch: '0' };
  if ((await copy(ctx, source, target, preconditions)) === 'done') return 'copied';
  const what = `Cloud Storage ${gsUri(target)}`;
  const url = objectUrl(ctx.base, target.bucket, target.name, { fields: 'generation' });
  return (await send(ctx, what, 'GET', url)) === 'gone' ? 'gone' : 'exists';
}

async function discard(
  ctx: ChangesContext,
  object: { bucket: string; name: string },
): Promise<ChangeResult> {
  const what = `Cloud Storage delete ${gsUri(object)}`;
  const url = objectUrl(ctx.base, object.bucket, object.name);
  return (await send(ctx, what, 'DELETE', url)) === 'gone' ? 'gone' : 'done';
}

async function remove(ctx: ChangesContext, object: PinnedObject): Promise<ChangeResult> {
  const what = `Cloud Storage delete ${gsUriAt(object)}`;
  const url = objectUrl(ctx.base, object.bucket, object.name, {
    ifGenerationMatch: object.generation,
  });
  return (await send(ctx, what, 'DELETE', url)) === 'gone' ? 'gone' : 'done';
}

async function exists(ctx: ChangesContext, object: PinnedObject): Promise<boolean> {
  const what = `Cloud Storage ${gsUriAt(object)}`;
  const url = objectUrl(ctx.base, object.bucket, object.name, {
    generation: object.generation,
    fields: 'generation',
  });
  return (await send(ctx, what, 'GET', url)) !== 'gone';
}
