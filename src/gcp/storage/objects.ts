/**
 * Reads Cloud Storage objects over the Google edge: the metadata of one exact generation (a
 * GCS notification without payload names it) or of the live one, and small text objects
 * such as the rules file.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/get
 */
import { gsUriAt, parseGsUri } from '../../core/gs-uri';
import { PermanentError } from '../../errors';
import { describeIssues } from '../../events/reasons';
import { StorageObjectDataSchema, toObjectRef } from '../../events/storage-object';
import type { ObjectPointer, ObjectRef } from '../../types';
import { createGoogleEdge, type EdgeAnswer, type GoogleEdge } from '../edge';
import { statusOf } from '../errors';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';
import { objectUrl } from './urls';

export interface ObjectReaderOptions {
  /** Default: an edge of its own, from process.env and Application Default Credentials. */
  edge?: GoogleEdge;
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
  const edge = options.edge ?? createGoogleEdge();
  const retry = retryPolicy(options.retry);

  /** One GET under the retry policy; 404 → undefined. */
  function get(what: string, url: string): Promise<EdgeAnswer | undefined> {
    return withRetry(async ({ deadline }) => {
      try {
        return await edge.call({
          service: 'storage',
          method: 'GET',
          url,
          what: `Cloud Storage ${what}`,
          deadline,
        });
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    }, retry);
  }

  async function readMetadata(
    bucket: string,
    name: string,
    generation: string | undefined,
  ): Promise<ObjectRef | undefined> {
    const what = gsUriAt({ bucket, name, generation });
    const answer = await get(what, objectUrl(edge.endpoints.storage, bucket, name, { generation }));
    if (answer === undefined) return undefined;
    const parsed = StorageObjectDataSchema.safeParse(answer.json());
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
    const answer = await get(
      gsUri,
      objectUrl(edge.endpoints.storage, object.bucket, object.name, { alt: 'media' }),
    );
    if (answer === undefined) {
      throw new PermanentError(`Cloud Storage ${gsUri}: not found`, {
        status: 404,
        reason: 'notFound',
      });
    }
    return answer.body.toString('utf8');
  }

  return {
    // Pinned: a newer generation is another load, announced by its own event.
    getObject: (pointer) => readMetadata(pointer.bucket, pointer.name, pointer.generation),
    getLiveObject: (bucket, name) => readMetadata(bucket, name, undefined),
    readText,
  };
}
