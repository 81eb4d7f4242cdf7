/**
 * Big load requests through the handler, with fake clients: a request above the chunk size is
 * published back to its own topic as chunks (nothing read or loaded in that delivery); a chunk
 * is loaded like any request and never split again.
 */
import { PermanentError, RetryableError } from '../../../../src/errors';
import type { OutgoingMessage } from '../../../../src/gcp/pubsub/publisher';
import { setLogSink } from '../../../../src/log';
import { createHandler } from '../../../../src/pipeline/handler';
import type { LoadPlan, ObjectRef } from '../../../../src/types';
import { objectRef, rulesFrom } from '../../routing/rules';

const TOPIC = 'projects/my-project/topics/ingest-requests';
const RULES = `
project: p
allow:
  buckets: [landing]
  topics: [projects/my-project/topics/ingest-*]
deadLetterTopic: projects/my-project/topics/dead
routes:
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
    accepts: [object, request]
    format: CSV
`;

let lines: Record<string, unknown>[] = [];
beforeEach(() => {
  lines = [];
  setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
});

const names = (n: number) =>
  Array.from({ length: n }, (_, i) => `sales/${String(i).padStart(4, '0')}.csv`);
const uris = (n: number) => names(n).map((name) => `gs://landing/${name}`);

function messageEvent(body: unknown, messageId = '4242') {
  const data = Buffer.from(JSON.stringify(body)).toString('base64');
  return {
    specversion: '1.0',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: `//pubsub.googleapis.com/${TOPIC}`,
    id: messageId,
    data: { message: { data, attributes: {}, messageId, publishTime: new Date().toISOString() } },
  };
}

function setup(count: number, publish?: (topic: string, m: OutgoingMessage) => Promise<string>) {
  const inserted: LoadPlan[] = [];
  const reads: string[] = [];
  const listings: string[] = [];
  const chunks: { topic: string; body: { objects: string[]; chunk: string; route?: string } }[] =
    [];
  const live = names(count).map((name, i) => objectRef({ name, generation: String(i + 1) }));
  const handler = createHandler({
    rules: () => rulesFrom(RULES),
    runtimeProject: async () => 'runtime',
    insertJob: async () => {
      throw new Error('not for requests');
    },
    getLiveObject: async () => undefined,
    external: {
      insertJob: async (plan) => {
        inserted.push(plan);
        return { outcome: 'submitted', job: {} };
      },
      uploadJob: async () => ({ outcome: 'submitted', job: {} }),
      getLiveObject: async (bucket, name) => {
        reads.push(name);
        return live.find((o) => o.bucket === bucket && o.name === name);
      },
      listPrefix: async function* (bucket, prefix) {
        listings.push(`${bucket}/${prefix}`);
        for (let i = 0; i < live.length; i += 40) yield live.slice(i, i + 40) as ObjectRef[];
      },
      fanOut: {
        chunkObjects: 100,
        publish:
          publish ??
          (async (topic, message) => {
            const body = JSON.parse(Buffer.from(String(message.data), 'base64').toString());
            chunks.push({ topic, body });
            return `chunk-${chunks.length}`;
          }),
      },
    },
    deadLetters: { publisher: { publish: async () => 'dl-1' }, retrySeconds: 3600 },
  });
  return { handler, inserted, reads, listings, chunks };
}

describe('a request naming more objects than a chunk holds', () => {
  it('is published back to its own topic as chunks with deterministic ids, loading nothing itself', async () => {
    const { handler, inserted, reads, chunks } = setup(250);
    await handler(messageEvent({ kind: 'load', objects: uris(250), route: 'sales' }));
    expect(inserted).toEqual([]);
    expect(reads).toEqual([]);
    expect(chunks.map((c) => c.topic)).toEqual([TOPIC, TOPIC, TOPIC]);
    expect(chunks.map((c) => c.body.chunk).sort()).toEqual(['4242/1of3', '4242/2of3', '4242/3of3']);
    expect(chunks.every((c) => c.body.route === 'sales')).toBe(true);
    expect(chunks.flatMap((c) => c.body.objects).sort()).toEqual(uris(250));
    expect(lines).toEqual([
      expect.objectContaining({
        outcome: 'fanned-out',
        chunks: 3,
        chunkedObjects: 250,
        chunkParent: '4242',
        messageId: '4242',
      }),
    ]);
  });

  it('redelivered, publishes the same chunks again (harmless: their objects are duplicates)', async () => {
    const { handler, chunks } = setup(250);
    const event = messageEvent({ kind: 'load', objects: uris(250) });
    await handler(event);
    const first = chunks
      .splice(0)
      .map((c) => JSON.stringify(c.body))
      .sort();
    await handler(event);
    expect(chunks.map((c) => JSON.stringify(c.body)).sort()).toEqual(first);
  });

  it('throws for redelivery when a chunk cannot be published yet', async () => {
    const { handler } = setup(250, async () => {
      throw new RetryableError('Pub/Sub 503');
    });
    await expect(
      handler(messageEvent({ kind: 'load', objects: uris(250) })),
    ).rejects.toBeInstanceOf(RetryableError);
  });

  it('is refused and dead-lettered when publishing is denied for good (no publisher role)', async () => {
    const { handler, inserted } = setup(250, async () => {
      throw new PermanentError('Pub/Sub 403: permission denied');
    });
    await handler(messageEvent({ kind: 'load', objects: uris(250) }));
    expect(inserted).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ outcome: 'refused', deadLetterMessageId: 'dl-1' });
  });

  it('of exactly the chunk size is loaded in this delivery', async () => {
    const { handler, inserted, chunks } = setup(100);
    await handler(messageEvent({ kind: 'load', objects: uris(100) }));
    expect(chunks).toEqual([]);
    expect(inserted).toHaveLength(100);
  });
});

describe('a request by prefix', () => {
  it('listing more objects than a chunk holds is listed once and fanned out by name', async () => {
    const { handler, inserted, listings, chunks } = setup(130);
    await handler(messageEvent({ kind: 'load', prefix: 'gs://landing/sales/' }));
    expect(listings).toEqual(['landing/sales/']);
    expect(inserted).toEqual([]);
    expect(chunks.map((c) => c.body.objects.length)).toEqual([100, 30]);
    expect(chunks.flatMap((c) => c.body.objects)).toEqual(uris(130));
    expect(lines.at(-1)).toMatchObject({ outcome: 'fanned-out', chunks: 2 });
  });

  it('listing no more than a chunk loads the listed generations here', async () => {
    const { handler, inserted, chunks, reads } = setup(40);
    await handler(messageEvent({ kind: 'load', prefix: 'gs://landing/sales/' }));
    expect(chunks).toEqual([]);
    expect(reads).toEqual([]);
    expect(inserted).toHaveLength(40);
  });
});

describe('a chunk', () => {
  it('is loaded like any request and never fanned out again, whatever its size; its lines name it', async () => {
    const { handler, inserted, chunks } = setup(250);
    await handler(messageEvent({ kind: 'load', objects: uris(250), chunk: '99/1of1' }, '5000'));
    expect(chunks).toEqual([]);
    expect(inserted).toHaveLength(250);
    const parts = lines.filter((l) => l.requestPart);
    expect(parts).toHaveLength(250);
    expect(parts.every((l) => l.chunk === '99/1of1' && l.outcome === 'submitted')).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      outcome: 'submitted',
      chunk: '99/1of1',
      objects: { submitted: 250, duplicate: 0, refused: 0 },
    });
  });

  it('passes the same allowlists: an object outside allow.buckets is refused and dead-lettered', async () => {
    const { handler, inserted } = setup(1);
    await handler(
      messageEvent({
        kind: 'load',
        objects: ['gs://other/sales/x.csv', uris(1)[0]],
        chunk: '9/2of2',
      }),
    );
    expect(inserted).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({
      outcome: 'refused',
      chunk: '9/2of2',
      deadLetterMessageId: 'dl-1',
    });
  });
});
