/**
 * A Cloud Storage objects.list stand-in over a virtual bucket of N objects: names are a
 * function of their index, so a page of 1,000 is built on demand from a template and nothing
 * is stored. The sweep benchmark measures the lister and the sweep, not a server walking a
 * folder. It honours `prefix`, `maxResults`, `pageToken` and a `fields` selection of
 * top-level item fields (`nextPageToken,items(name,generation,…)`), as the real API does.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/list
 * https://cloud.google.com/storage/docs/json_api/v1/how-tos/performance#partial-response
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, sendJson } from '../dev/http-util';

export interface VirtualBucket {
  bucket: string;
  objects: number;
  /** The name of object `i`; must ascend with `i` (listings are in name order). */
  nameOf(i: number): string;
}

export interface ListingServer {
  /** The value for STORAGE_EMULATOR_HOST. */
  emulatorHost: string;
  /** Pages served so far. */
  pages(): number;
  close(): Promise<void>;
}

const LIST = /^\/storage\/v1\/b\/([^/]+)\/o$/;
const BUCKETS = /^\/storage\/v1\/b$/;

/** The top-level item fields a `fields` selection asks for, or undefined for all of them. */
export function selectedItemFields(fields: string | null): Set<string> | undefined {
  if (!fields) return undefined;
  const inner = /(?:^|,)items\(([^)]*)\)/.exec(fields)?.[1];
  if (inner === undefined) return fields.split(',').includes('items') ? undefined : new Set();
  return new Set(inner.split(',').map((f) => f.trim().split('/')[0] ?? ''));
}

/** First index in [0, n) whose name is >= `key` (names ascend with the index). */
export function lowerBound(n: number, nameOf: (i: number) => string, key: string): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (nameOf(mid) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The JSON text of object `i`, as a full resource would carry it, cut to `only`. */
function itemJson(b: VirtualBucket, i: number, only: Set<string> | undefined): string {
  const name = b.nameOf(i);
  const generation = String(1_700_000_000_000_000 + i);
  const all: [string, string][] = [
    ['kind', '"storage#object"'],
    ['id', JSON.stringify(`${b.bucket}/${name}/${generation}`)],
    ['selfLink', JSON.stringify(`https://www.googleapis.com/storage/v1/b/${b.bucket}/o/${name}`)],
    ['name', JSON.stringify(name)],
    ['bucket', JSON.stringify(b.bucket)],
    ['generation', `"${generation}"`],
    ['metageneration', '"1"'],
    ['contentType', '"application/x-ndjson"'],
    ['storageClass', '"STANDARD"'],
    ['size', `"${12 + (i % 7)}"`],
    ['md5Hash', '"1B2M2Y8AsgTpgAmY7PhCfg=="'],
    ['crc32c', '"AAAAAA=="'],
    ['etag', '"CAE="'],
    ['timeCreated', '"2026-11-01T10:00:00.000Z"'],
    ['updated', '"2026-11-01T10:00:00.000Z"'],
  ];
  const kept = only ? all.filter(([k]) => only.has(k)) : all;
  return `{${kept.map(([k, v]) => `"${k}":${v}`).join(',')}}`;
}

export async function startListingServer(buckets: VirtualBucket[]): Promise<ListingServer> {
  let pages = 0;
  const byName = new Map(buckets.map((b) => [b.bucket, b]));
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://storage');
    const q = url.searchParams;
    if (req.method === 'GET' && BUCKETS.test(url.pathname)) {
      sendJson(res, 200, {
        kind: 'storage#buckets',
        items: buckets.map((b) => ({ name: b.bucket })),
      });
      return;
    }
    const bucket = byName.get(decodeURIComponent(LIST.exec(url.pathname)?.[1] ?? ''));
    if (req.method !== 'GET' || !bucket) {
      sendJson(res, 404, {
        error: { code: 404, message: `no route ${req.method} ${url.pathname}` },
      });
      return;
    }
    pages++;
    const prefix = q.get('prefix') ?? '';
    const size = Math.min(1000, Number(q.get('maxResults') ?? 1000) || 1000);
    const token = q.get('pageToken');
    const first = token ? Number(token) : lowerBound(bucket.objects, bucket.nameOf, prefix);
    const only = selectedItemFields(q.get('fields'));
    const items: string[] = [];
    let i = first;
    for (; i < bucket.objects && items.length < size; i++) {
      if (!bucket.nameOf(i).startsWith(prefix)) break;
      items.push(itemJson(bucket, i, only));
    }
    const more = i < bucket.objects && bucket.nameOf(i).startsWith(prefix);
    const body = `{"kind":"storage#objects"${items.length ? `,"items":[${items.join(',')}]` : ''}${more ? `,"nextPageToken":"${i}"` : ''}}`;
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=UTF-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  const listening = await listenLocal(handle);
  return {
    emulatorHost: `http://127.0.0.1:${listening.port}/storage/v1`,
    pages: () => pages,
    close: listening.close,
  };
}
