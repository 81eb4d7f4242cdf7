/**
 * Streamed object listings: one page (≤ 1,000 objects) at a time, so a sweep over a large
 * bucket holds one page in memory, never the whole listing.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/list
 * https://cloud.google.com/storage/docs/json_api/v1/buckets/list
 */
import { Storage } from '@google-cloud/storage';
import { PermanentError } from '../../errors';
import { describeIssues } from '../../events/reasons';
import { StorageObjectDataSchema, toObjectRef } from '../../events/storage-object';
import type { ObjectRef } from '../../types';
import { type RetryOptions, withRetry } from '../bigquery/retry';
import { classifyStorageError } from './errors';

/** A listed object: always has a metageneration; `updated` is the last metadata change. */
export type ListedObject = ObjectRef & { metageneration: string; updated?: string };

export interface ObjectLister {
  /** Pages of the objects under `prefix`, in name order. */
  listObjects(bucket: string, prefix: string): AsyncGenerator<ListedObject[]>;
  /** Pages of the project's bucket names (for routes whose bucket is a glob). */
  listBuckets(): AsyncGenerator<string[]>;
}

export function createObjectLister(
  options: { storage?: Storage; retry?: RetryOptions; pageSize?: number } = {},
): ObjectLister {
  const storage = options.storage ?? new Storage({ retryOptions: { autoRetry: false } });
  const pageSize = options.pageSize ?? 1000;

  async function* listObjects(bucket: string, prefix: string): AsyncGenerator<ListedObject[]> {
    let pageToken: string | undefined;
    const what = `gs://${bucket}/${prefix}`;
    do {
      const token = pageToken;
      const response = await withRetry(async () => {
        try {
          const [, , api] = await storage.bucket(bucket).getFiles({
            prefix,
            autoPaginate: false,
            maxResults: pageSize,
            ...(token ? { pageToken: token } : {}),
          });
          return api as { items?: unknown[]; nextPageToken?: string } | undefined;
        } catch (error) {
          throw classifyStorageError(error, `list ${what}`) ?? error;
        }
      }, options.retry);
      const page: ListedObject[] = [];
      for (const item of response?.items ?? []) {
        const parsed = StorageObjectDataSchema.safeParse(item);
        if (!parsed.success) {
          throw new PermanentError(
            `Cloud Storage list ${what}: unexpected object resource: ${describeIssues(parsed.error, 'item')}`,
          );
        }
        const ref = toObjectRef(parsed.data);
        page.push({
          ...ref,
          metageneration: parsed.data.metageneration ?? '1',
          ...(parsed.data.updated ? { updated: parsed.data.updated } : {}),
        });
      }
      yield page;
      pageToken = response?.nextPageToken;
    } while (pageToken);
  }

  async function* listBuckets(): AsyncGenerator<string[]> {
    let pageToken: string | undefined;
    do {
      const token = pageToken;
      const [buckets, next] = await withRetry(async () => {
        try {
          return await storage.getBuckets({
            autoPaginate: false,
            ...(token ? { pageToken: token } : {}),
          });
        } catch (error) {
          throw classifyStorageError(error, 'list buckets') ?? error;
        }
      }, options.retry);
      yield buckets.map((b) => b.name);
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
    } while (pageToken);
  }

  return { listObjects, listBuckets };
}
