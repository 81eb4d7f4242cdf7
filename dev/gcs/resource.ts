/**
 * JSON API resources as GCS answers them (int64 fields as decimal strings).
 * https://cloud.google.com/storage/docs/json_api/v1/objects#resource
 */
import { createHash } from 'node:crypto';
import type { StoredObject } from './object';

export interface ObjectResource {
  kind: 'storage#object';
  id: string;
  selfLink: string;
  mediaLink: string;
  name: string;
  bucket: string;
  generation: string;
  metageneration: string;
  contentType?: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  storageClass: string;
  size: string;
  md5Hash: string;
  crc32c: string;
  etag: string;
  timeCreated: string;
  updated: string;
  timeStorageClassUpdated: string;
  metadata?: Record<string, string>;
}

export function objectResource(object: StoredObject, baseUrl: string): ObjectResource {
  const { file: _file, ...fields } = object;
  const path = `b/${encodeURIComponent(object.bucket)}/o/${encodeURIComponent(object.name)}`;
  return {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    selfLink: `${baseUrl}/storage/v1/${path}`,
    mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${object.generation}&alt=media`,
    ...fields,
    storageClass: 'STANDARD',
    etag: createHash('md5')
      .update(`${object.generation}/${object.metageneration}`)
      .digest('base64'),
    timeStorageClassUpdated: object.timeCreated,
  };
}

export function bucketResource(name: string, baseUrl: string) {
  return {
    kind: 'storage#bucket',
    id: name,
    name,
    selfLink: `${baseUrl}/storage/v1/b/${encodeURIComponent(name)}`,
    projectNumber: '123456789012',
    metageneration: '1',
    location: 'US',
    locationType: 'multi-region',
    storageClass: 'STANDARD',
    etag: 'CAE=',
  };
}
