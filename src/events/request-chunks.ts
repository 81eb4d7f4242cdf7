/**
 * Big load requests fanned out (docs/requests.md: Load request, Big requests): a request that resolves
 * to more objects than one delivery should load is split into chunk requests, each naming its
 * objects explicitly and carrying a deterministic chunk id `<parent>/<index>of<count>`. A chunk
 * is a load request like any other (same topic, same allowlists, same per-object job ids), so
 * each chunk is its own idempotent unit; one that names a `chunk` is never split again. Pure.
 */
import { createHash } from 'node:crypto';
import { gsUri } from '../core/gs-uri';
import type { LoadRequest } from '../types';

/**
 * Objects per chunk by default. A chunk must finish inside one event's retry budget
 * (AUTOLOADER_RETRY_BUDGET_MS, 20 s by default): each object costs a read, a claim and a
 * jobs.insert (~0.4 s together), 8 in flight, so 100 objects take about 5 s — a 4x margin
 * for slow calls and for a redelivered chunk, whose objects cost a 412 and a 409 more each.
 */
export const DEFAULT_CHUNK_OBJECTS = 100;

/**
 * The most bytes of JSON per chunk message: far under Pub/Sub's 10 MB per publish even as
 * base64, whatever the object names (1,024 bytes each, up to 6 bytes per byte when escaped).
 */
export const MAX_CHUNK_DATA_BYTES = 1_000_000;

/** `<parent>/<index>of<count>`: the parent is a Pub/Sub message id or a request digest. */
export const CHUNK_ID = /^[A-Za-z0-9_.-]{1,128}\/[1-9][0-9]{0,4}of[1-9][0-9]{0,4}$/;

export interface RequestChunk {
  /** `<parent>/<index>of<count>`, index from 1. */
  chunk: string;
  /** How many objects it names. */
  objects: number;
  /** The message data: a load request naming its objects and its chunk id. */
  data: string;
}

/**
 * The parent's id: its Pub/Sub message id (the same on every redelivery), else a digest of
 * the request itself (the same request always gives the same id).
 */
export function parentId(messageId: string | undefined, request: LoadRequest): string {
  if (messageId && /^[A-Za-z0-9_.-]{1,128}$/.test(messageId)) return messageId;
  return `sha256-${createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 32)}`;
}

/**
 * Splits `objects` (in their order) into chunks of at most `size` objects and at most
 * MAX_CHUNK_DATA_BYTES of data each. Same inputs, same chunks, same ids. A retry request's
 * chunks are retry requests.
 */
export function chunkRequest(
  parent: string,
  objects: readonly { bucket: string; name: string }[],
  route: string | undefined,
  size: number,
  kind: 'load' | 'retry' = 'load',
): RequestChunk[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`bad chunk size ${size}`);
  const groups: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const object of objects) {
    const uri = JSON.stringify(gsUri(object));
    const added = Buffer.byteLength(uri, 'utf8') + 1;
    if (current.length >= size || (current.length > 0 && bytes + added > MAX_CHUNK_DATA_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(uri);
    bytes += added;
  }
  if (current.length > 0) groups.push(current);
  const routePart = route === undefined ? '' : `,"route":${JSON.stringify(route)}`;
  return groups.map((uris, i) => {
    const chunk = `${parent}/${i + 1}of${groups.length}`;
    const data = `{"kind":"${kind}","objects":[${uris.join(',')}]${routePart},"chunk":"${chunk}"}`;
    return { chunk, objects: uris.length, data };
  });
}

/** Whether a request is split: more objects than a chunk holds, and not a chunk itself. */
export function shouldFanOut(request: LoadRequest, objectCount: number, size: number): boolean {
  return request.chunk === undefined && objectCount > size;
}
