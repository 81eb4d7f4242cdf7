/**
 * Sweep leases: one small object per bucket, `.bq-autoloader/sweep.lease`, that a sweep
 * creates with `ifGenerationMatch=0` before it lists the bucket and deletes (pinned to its
 * own generation) when it is done. Of two sweeps creating it at once exactly one gets 200;
 * the other gets 412 and leaves the bucket alone. A lease older than `staleMs` belongs to a
 * sweep that died: it is deleted pinned to that generation and created again, so of two
 * sweeps taking it over exactly one wins too. The body records the holder's token.
 * https://cloud.google.com/storage/docs/request-preconditions
 */
import { OWN_PREFIX } from '../../core/object-name';
import { createGoogleEdge, type GoogleEdge } from '../edge';
import { statusOf } from '../errors';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';
import { objectUrl, queryString } from './urls';

export const LEASE_NAME = `${OWN_PREFIX}sweep.lease`;

export interface Lease {
  bucket: string;
  generation: string;
}

export type LeaseResult =
  | { kind: 'held'; lease: Lease }
  /** Another sweep (or another delivery of the same tick) holds it: `holder` is its token. */
  | { kind: 'busy'; holder: string; since: string };

export interface LeaseStore {
  acquire(bucket: string, token: string, staleMs: number, now: number): Promise<LeaseResult>;
  release(lease: Lease): Promise<void>;
}

interface LeaseObject {
  generation: string;
  timeCreated: string;
  holder: string;
}

export function createLeaseStore(
  options: { edge?: GoogleEdge; retry?: RetryOptions } = {},
): LeaseStore {
  const edge = options.edge ?? createGoogleEdge();
  const retry = retryPolicy(options.retry);
  const what = (bucket: string) => `Cloud Storage gs://${bucket}/${LEASE_NAME}`;

  /** 412/404 answers are results here, not failures: `undefined`. */
  async function call<T>(
    bucket: string,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    read: (json: unknown) => T,
    body?: string,
  ): Promise<T | undefined> {
    return withRetry(async ({ deadline }) => {
      try {
        const answer = await edge.call({
          service: 'storage',
          method,
          url,
          what: what(bucket),
          deadline,
          ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
        });
        return read(answer.json());
      } catch (error) {
        const status = statusOf(error);
        if (status === 412 || status === 404) return undefined;
        throw error;
      }
    }, retry);
  }

  function create(bucket: string, token: string, now: number) {
    const base = edge.endpoints.storage.replace(/\/storage\/v1$/, '/upload/storage/v1');
    const url = `${base}/b/${encodeURIComponent(bucket)}/o${queryString({
      uploadType: 'media',
      name: LEASE_NAME,
      ifGenerationMatch: '0',
      fields: 'generation',
    })}`;
    const body = JSON.stringify({ token, at: new Date(now).toISOString() });
    return call(
      bucket,
      'POST',
      url,
      (j) => String((j as { generation?: unknown }).generation),
      body,
    );
  }

  async function current(bucket: string): Promise<LeaseObject | undefined> {
    const meta = await call(
      bucket,
      'GET',
      objectUrl(edge.endpoints.storage, bucket, LEASE_NAME, {
        fields: 'generation,timeCreated',
      }),
      (j) => j as { generation?: unknown; timeCreated?: unknown },
    );
    if (!meta) return undefined;
    const generation = String(meta.generation);
    const content = await call(
      bucket,
      'GET',
      objectUrl(edge.endpoints.storage, bucket, LEASE_NAME, {
        alt: 'media',
        ifGenerationMatch: generation,
      }),
      (j) => (j as { token?: unknown } | undefined)?.token,
    );
    // Gone or replaced since the first read: as if there were no lease (raced for again).
    if (content === undefined) return undefined;
    return { generation, timeCreated: String(meta.timeCreated), holder: String(content) };
  }

  async function remove(lease: Lease): Promise<void> {
    const url = objectUrl(edge.endpoints.storage, lease.bucket, LEASE_NAME, {
      ifGenerationMatch: lease.generation,
    });
    await call(lease.bucket, 'DELETE', url, () => undefined);
  }

  return {
    async acquire(bucket, token, staleMs, now) {
      const created = await create(bucket, token, now);
      if (created !== undefined) return { kind: 'held', lease: { bucket, generation: created } };
      const held = await current(bucket);
      if (held && now - (Date.parse(held.timeCreated) || 0) < staleMs) {
        return { kind: 'busy', holder: held.holder, since: held.timeCreated };
      }
      // Gone meanwhile, or stale: removed (only that generation) and raced for once more.
      if (held) await remove({ bucket, generation: held.generation });
      const again = await create(bucket, token, now);
      if (again !== undefined) return { kind: 'held', lease: { bucket, generation: again } };
      return { kind: 'busy', holder: (await current(bucket))?.holder ?? '?', since: '' };
    },
    release: remove,
  };
}
