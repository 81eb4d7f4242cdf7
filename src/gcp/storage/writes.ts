/**
 * Writes one new object (a simple `uploadType=media` upload) only if no object of that name
 * exists (`ifGenerationMatch=0`): a retried or redelivered write of the same name answers 412
 * and is `exists`, never a second generation. Used to keep the original of a dead letter too
 * large for Pub/Sub (docs/requests.md: Refusals, dead letters, retries).
 * https://cloud.google.com/storage/docs/uploading-objects#uploading-an-object
 * https://cloud.google.com/storage/docs/request-preconditions
 */
import { createGoogleEdge, type GoogleEdge } from '../edge';
import { statusOf } from '../errors';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';
import { uploadUrl } from './urls';

export interface NewObject {
  bucket: string;
  name: string;
  body: Buffer;
  contentType: string;
}

/** `generation`: the new object's, when the answer gave one. */
export type CreateResult = { kind: 'created'; generation?: string } | { kind: 'exists' };

export interface ObjectWriter {
  /** `exists`: an object of that name was there already (an earlier try of the same write). */
  create(object: NewObject): Promise<CreateResult>;
}

export function createObjectWriter(
  options: { edge?: GoogleEdge; retry?: RetryOptions } = {},
): ObjectWriter {
  const edge = options.edge ?? createGoogleEdge();
  const retry = retryPolicy(options.retry);

  async function create(object: NewObject): Promise<CreateResult> {
    const url = uploadUrl(edge.endpoints.storage, object.bucket, {
      uploadType: 'media',
      name: object.name,
      ifGenerationMatch: '0',
    });
    const what = `Cloud Storage write gs://${object.bucket}/${object.name}`;
    return withRetry(async ({ deadline }) => {
      try {
        const answer = await edge.call({
          service: 'storage',
          method: 'POST',
          url,
          body: object.body,
          headers: { 'content-type': object.contentType },
          what,
          deadline,
        });
        return { kind: 'created', ...generationOf(answer.json()) } as const;
      } catch (error) {
        if (statusOf(error) === 412) return { kind: 'exists' } as const;
        throw error;
      }
    }, retry);
  }

  return { create };
}

/** `{generation}` of an object resource, or nothing when the answer lacks one. */
export function generationOf(resource: unknown): { generation?: string } {
  const value = (resource as { generation?: unknown } | undefined)?.generation;
  return typeof value === 'string' || typeof value === 'number'
    ? { generation: String(value) }
    : {};
}
