/** Big load requests split into chunk requests (src/events/request-chunks.ts): pure. */
import { decodeEvent } from '../../../src/events/decode';
import {
  CHUNK_ID,
  chunkRequest,
  DEFAULT_CHUNK_OBJECTS,
  MAX_CHUNK_DATA_BYTES,
  parentId,
  shouldFanOut,
} from '../../../src/events/request-chunks';

const objects = (n: number, bucket = 'landing') =>
  Array.from({ length: n }, (_, i) => ({
    bucket,
    name: `sales/${String(i).padStart(5, '0')}.csv`,
  }));

function messageEvent(data: string) {
  return {
    specversion: '1.0',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/my-project/topics/ingest-requests',
    id: '77',
    data: { message: { data: Buffer.from(data).toString('base64'), messageId: '77' } },
  };
}

describe('chunking a request', () => {
  it('splits in order into chunks of at most the size, the last one holding the rest', () => {
    const chunks = chunkRequest('123', objects(250), undefined, 100);
    expect(chunks.map((c) => c.objects)).toEqual([100, 100, 50]);
    expect(chunks.map((c) => c.chunk)).toEqual(['123/1of3', '123/2of3', '123/3of3']);
    const named = chunks.flatMap((c) => (JSON.parse(c.data) as { objects: string[] }).objects);
    expect(named).toEqual(objects(250).map((o) => `gs://${o.bucket}/${o.name}`));
  });

  it('gives the same chunks and ids for the same parent and objects (a redelivery)', () => {
    expect(chunkRequest('123', objects(250), 'sales', 100)).toEqual(
      chunkRequest('123', objects(250), 'sales', 100),
    );
  });

  it('writes each chunk as a load request with its route and chunk id, ids matching CHUNK_ID', () => {
    const [first] = chunkRequest('123', objects(3), 'sales', 2);
    expect(JSON.parse(String(first?.data))).toEqual({
      kind: 'load',
      objects: ['gs://landing/sales/00000.csv', 'gs://landing/sales/00001.csv'],
      route: 'sales',
      chunk: '123/1of2',
    });
    expect(first?.chunk).toMatch(CHUNK_ID);
  });

  it('keeps each chunk under the byte budget whatever the names', () => {
    const long = Array.from({ length: 3000 }, (_, i) => ({
      bucket: 'landing',
      name: `${String(i).padStart(5, '0')}${'\u0001'.repeat(1000)}`,
    }));
    const chunks = chunkRequest('p', long, undefined, 10_000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(Buffer.byteLength(c.data)).toBeLessThanOrEqual(MAX_CHUNK_DATA_BYTES + 200);
    }
    expect(chunks.reduce((n, c) => n + c.objects, 0)).toBe(3000);
  });

  it('refuses a chunk size below 1', () => {
    expect(() => chunkRequest('p', objects(1), undefined, 0)).toThrow(RangeError);
  });

  it('defaults to 100 objects per chunk', () => {
    expect(DEFAULT_CHUNK_OBJECTS).toBe(100);
  });
});

describe('the parent id', () => {
  it('is the message id, else a digest of the request that is the same each time', () => {
    const request = { objects: objects(2) };
    expect(parentId('5551234', request)).toBe('5551234');
    expect(parentId(undefined, request)).toMatch(/^sha256-[0-9a-f]{32}$/);
    expect(parentId(undefined, request)).toBe(parentId(undefined, { objects: objects(2) }));
    expect(parentId(undefined, request)).not.toBe(parentId(undefined, { objects: objects(3) }));
  });
});

describe('whether a request fans out', () => {
  it('only above the chunk size, and never for a chunk', () => {
    expect(shouldFanOut({ objects: objects(100) }, 100, 100)).toBe(false);
    expect(shouldFanOut({ objects: objects(101) }, 101, 100)).toBe(true);
    expect(shouldFanOut({ objects: objects(500), chunk: 'p/1of5' }, 500, 100)).toBe(false);
  });

  it('a chunk message decodes back to a request carrying its chunk id, so it is never split again', () => {
    const [chunk] = chunkRequest('77', objects(150), 'sales', 100);
    const decoded = decodeEvent(messageEvent(String(chunk?.data)));
    expect(decoded).toMatchObject({
      kind: 'request',
      request: { route: 'sales', chunk: '77/1of2' },
    });
    const request = decoded.kind === 'request' ? decoded.request : undefined;
    expect(request && 'objects' in request && request.objects.length).toBe(100);
    expect(request && shouldFanOut(request, 100, 10)).toBe(false);
  });

  it.each([
    [
      'a chunk with a prefix',
      { kind: 'load', prefix: 'gs://landing/sales/', chunk: 'p/1of2' },
      'no prefix',
    ],
    [
      'a malformed chunk id',
      { kind: 'load', objects: ['gs://landing/a.csv'], chunk: 'p/x' },
      'PARENT/NofM',
    ],
  ])('refuses %s', (_, body, reason) => {
    const decoded = decodeEvent(messageEvent(JSON.stringify(body)));
    expect(decoded.kind).toBe('refused');
    expect(decoded.kind === 'refused' && decoded.reason).toContain(reason);
  });
});
