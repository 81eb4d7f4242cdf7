/**
 * The live objects under a prefix, one page (≤ 1,000) at a time, so a request for a large
 * prefix never holds the whole listing in memory.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/list
 */
import { Storage } from '@google-cloud/storage';
import { type RetryOptions, withRetry } from '../bigquery/retry';
import { PermanentError } from '../errors';
import { describeIssues } from '../events/reasons';
import { StorageObjectDataSchema, toObjectRef } from '../events/storage-object';
import { classifyStorageError } from '../storage/errors';
import type { ObjectRef } from '../types';

export type ListPrefix = (bucket: string, prefix: string) => AsyncGenerator<ObjectRef[]>;

export function createPrefixLister(
  options: { storage?: Storage; retry?: RetryOptions; pageSize?: number } = {},
): ListPrefix {
  const storage = options.storage ?? new Storage({ retryOptions: { autoRetry: false } });
  const pageSize = options.pageSize ?? 1000;
  return async function* listPrefix(bucket, prefix) {
    const what = `gs://${bucket}/${prefix}`;
    let pageToken: string | undefined;
    do {
      const token = pageToken;
      const answer = await withRetry(async () => {
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
      const page: ObjectRef[] = [];
      for (const item of answer?.items ?? []) {
        const parsed = StorageObjectDataSchema.safeParse(item);
        if (!parsed.success) {
          throw new PermanentError(
            `Cloud Storage list ${what}: unexpected object resource: ${describeIssues(parsed.error, 'item')}`,
          );
        }
        page.push(toObjectRef(parsed.data));
      }
      yield page;
      pageToken = answer?.nextPageToken;
    } while (pageToken);
  };
}
