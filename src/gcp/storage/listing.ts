/**
 * Streamed object listings: one page (≤ 1,000 objects) at a time, so a sweep over a large
 * bucket holds one page in memory, never the whole listing. A sweep may list a million
 * objects, so the per-object cost is kept small: the API is asked only for the fields a
 * sweep reads (`fields=`), and each item is checked by hand rather than by a schema parser.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/list
 * https://cloud.google.com/storage/docs/json_api/v1/buckets/list
 * https://cloud.google.com/storage/docs/json_api#partial-response
 */
import { gsUri } from '../../core/gs-uri';
import { PermanentError } from '../../errors';
import type { ObjectRef } from '../../types';
import { createGoogleEdge, type GoogleEdge } from '../edge';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';
import { queryString } from './urls';

/** A listed object: always has a metageneration; `updated` is the last metadata change. */
export type ListedObject = ObjectRef & { metageneration: string; updated?: string };

export interface ObjectLister {
  /** Pages of the objects under `prefix`, in name order. */
  listObjects(bucket: string, prefix: string): AsyncGenerator<ListedObject[]>;
  /** Pages of the project's bucket names (for routes whose bucket is a glob). */
  listBuckets(): AsyncGenerator<string[]>;
}

export const OBJECT_LIST_FIELDS =
  'nextPageToken,items(name,generation,metageneration,size,contentType,contentEncoding,metadata,timeCreated,updated)';
const BUCKET_LIST_FIELDS = 'nextPageToken,items(name)';

interface Page {
  items?: unknown[];
  nextPageToken?: string;
}

export function createObjectLister(
  options: { edge?: GoogleEdge; retry?: RetryOptions; pageSize?: number } = {},
): ObjectLister {
  const edge = options.edge ?? createGoogleEdge();
  const retry = retryPolicy(options.retry);
  const pageSize = String(options.pageSize ?? 1000);

  function page(url: string, what: string): Promise<Page> {
    return withRetry(async ({ deadline }) => {
      const answer = await edge.call({ service: 'storage', method: 'GET', url, what, deadline });
      return (answer.json() ?? {}) as Page;
    }, retry);
  }

  async function* listObjects(bucket: string, prefix: string): AsyncGenerator<ListedObject[]> {
    const what = `Cloud Storage list ${gsUri({ bucket, name: prefix })}`;
    const path = `${edge.endpoints.storage}/b/${encodeURIComponent(bucket)}/o`;
    let pageToken: string | undefined;
    do {
      const query = { prefix, maxResults: pageSize, pageToken, fields: OBJECT_LIST_FIELDS };
      const response = await page(`${path}${queryString(query)}`, what);
      const items = response.items ?? [];
      const objects: ListedObject[] = new Array(items.length);
      for (let i = 0; i < items.length; i += 1) objects[i] = listedObject(items[i], bucket, what);
      yield objects;
      pageToken = response.nextPageToken;
    } while (pageToken);
  }

  async function* listBuckets(): AsyncGenerator<string[]> {
    const project = await edge.tokens.projectId();
    let pageToken: string | undefined;
    do {
      const query = { project, pageToken, fields: BUCKET_LIST_FIELDS };
      const response = await page(
        `${edge.endpoints.storage}/b${queryString(query)}`,
        'Cloud Storage list buckets',
      );
      yield (response.items ?? []).map((b) => String((b as { name?: unknown }).name));
      pageToken = response.nextPageToken;
    } while (pageToken);
  }

  return { listObjects, listBuckets };
}

/** One item of a listing, checked field by field; the error names the field. */
export function listedObject(item: unknown, bucket: string, what: string): ListedObject {
  const raw = (item ?? {}) as Record<string, unknown>;
  const bad = (field: string, expected: string): never => {
    throw new PermanentError(
      `${what}: unexpected object resource: item.${field}: expected ${expected}, got ${JSON.stringify(raw[field])}`,
    );
  };
  const name = typeof raw.name === 'string' && raw.name !== '' ? raw.name : bad('name', 'a name');
  const generation = int64(raw.generation) ?? bad('generation', 'an int64');
  const metageneration =
    raw.metageneration === undefined
      ? '1'
      : (int64(raw.metageneration) ?? bad('metageneration', 'an int64'));
  const size = Number(int64(raw.size) ?? bad('size', 'an int64'));
  if (!Number.isSafeInteger(size)) bad('size', 'an integer below 2^53');
  const metadata = raw.metadata ?? {};
  if (typeof metadata !== 'object') bad('metadata', 'a string map');
  const object: ListedObject = {
    bucket,
    name,
    generation,
    metageneration,
    size,
    metadata: metadata as Record<string, string>,
  };
  if (typeof raw.contentType === 'string') object.contentType = raw.contentType;
  if (typeof raw.contentEncoding === 'string') object.contentEncoding = raw.contentEncoding;
  if (typeof raw.timeCreated === 'string') object.timeCreated = raw.timeCreated;
  if (typeof raw.updated === 'string') object.updated = raw.updated;
  return object;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** JSON int64 (a decimal string, or a safe integer) as a decimal string; undefined if neither. */
function int64(value: unknown): string | undefined {
  if (typeof value === 'string') return DECIMAL.test(value) ? value : undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}
