/**
 * Sweep leases: one small object per bucket, `.bq-autoloader/sweep.lease`, that a sweep
 * creates with `ifGenerationMatch=0` before it lists the bucket and deletes (pinned to its
 * own generation) when it is done. Of two sweeps creating it at once exactly one gets 200;
 * the other gets 412 and leaves the bucket alone. A lease older than `staleMs` belongs to a
 * sweep that died: it is deleted pinned to that generation and created again, so of two
 * sweeps taking it over exactly one wins too. The body records the holder's token; a lease
 * whose body cannot be read (empty, not JSON, no token) is still a lease — its holder shows as
 * `?` — and is taken over the same way once it is old enough.
 * https://cloud.google.com/storage/docs/request-preconditions
 */
import { OWN_PREFIX } from '../../core/object-name';
import { createGoogleEdge, type GoogleEdge } from '../edge';
import { statusOf } from '../errors';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';
import { objectUrl } from './urls';
import { createObjectWriter, generationOf, type ObjectWriter } from './writes';

export const LEASE_NAME = `${OWN_PREFIX}sweep.lease`;

export interface Lease {
  bucket: string;
  /** Unknown only when the create's answer lacked it: the lease is then left to go stale. */
  generation?: string;
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
  /** Unknown when the metadata answer lacked it: such a lease cannot be taken over. */
  generation?: string;
  timeCreated: string;
  /** The token in its body, `?` when the body has none that can be read. */
  holder: string;
}

export function createLeaseStore(
  options: { edge?: GoogleEdge; retry?: RetryOptions; writer?: ObjectWriter } = {},
): LeaseStore {
  const edge = options.edge ?? createGoogleEdge();
  const retry = retryPolicy(options.retry);
  const writer = options.writer ?? createObjectWriter({ edge, retry: options.retry });
  const what = (bucket: string) => `Cloud Storage gs://${bucket}/${LEASE_NAME}`;

  /** 412/404 answers are results here (the lease is gone or was replaced): `undefined`. */
  async function call<T>(
    bucket: string,
    method: 'GET' | 'DELETE',
    url: string,
    read: (json: unknown) => T,
  ): Promise<T | undefined> {
    return withRetry(async ({ deadline }) => {
      try {
        const answer = await edge.call({
          service: 'storage',
          method,
          url,
          what: what(bucket),
          deadline,
        });
        return read(answer.json());
      } catch (error) {
        const status = statusOf(error);
        if (status === 412 || status === 404) return undefined;
        throw error;
      }
    }, retry);
  }

  /** The generation of the lease this sweep created, `undefined` when one exists already. */
  async function create(bucket: string, token: string, now: number) {
    const body = Buffer.from(JSON.stringify({ token, at: new Date(now).toISOString() }));
    const result = await writer.create({
      bucket,
      name: LEASE_NAME,
      body,
      contentType: 'application/json',
    });
    return result.kind === 'created' ? { generation: result.generation } : undefined;
  }

  async function current(bucket: string): Promise<LeaseObject | undefined> {
    const url = objectUrl(edge.endpoints.storage, bucket, LEASE_NAME, {
      fields: 'generation,timeCreated',
    });
    const meta = await call(bucket, 'GET', url, (j) => ({
      ...generationOf(j),
      timeCreated: stringOf((j as { timeCreated?: unknown } | undefined)?.timeCreated),
    }));
    if (!meta) return undefined;
    const timeCreated = meta.timeCreated ?? '';
    if (meta.generation === undefined) return { timeCreated, holder: '?' };
    const content = await call(
      bucket,
      'GET',
      objectUrl(edge.endpoints.storage, bucket, LEASE_NAME, {
        alt: 'media',
        ifGenerationMatch: meta.generation,
      }),
      (j) => ({ token: stringOf((j as { token?: unknown } | undefined)?.token) }),
    );
    // Gone or replaced since the first read: as if there were no lease (raced for again).
    if (!content) return undefined;
    return { generation: meta.generation, timeCreated, holder: content.token ?? '?' };
  }

  async function remove(lease: Lease): Promise<void> {
    if (lease.generation === undefined) return; // never deleted unpinned: it goes stale
    const url = objectUrl(edge.endpoints.storage, lease.bucket, LEASE_NAME, {
      ifGenerationMatch: lease.generation,
    });
    await call(lease.bucket, 'DELETE', url, () => undefined);
  }

  const busy = (held: LeaseObject | undefined): LeaseResult => ({
    kind: 'busy',
    holder: held?.holder ?? '?',
    since: held?.timeCreated ?? '',
  });

  return {
    async acquire(bucket, token, staleMs, now) {
      const created = await create(bucket, token, now);
      if (created) return { kind: 'held', lease: { bucket, ...created } };
      const held = await current(bucket);
      const age = now - (Date.parse(held?.timeCreated ?? '') || 0);
      if (held && (held.generation === undefined || age < staleMs)) return busy(held);
      // Gone meanwhile, or stale: removed (only that generation) and raced for once more.
      if (held) await remove({ bucket, generation: held.generation });
      const again = await create(bucket, token, now);
      if (again) return { kind: 'held', lease: { bucket, ...again } };
      return busy(await current(bucket));
    },
    release: remove,
  };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
