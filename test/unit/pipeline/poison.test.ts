/**
 * No poison loops (docs/requests.md: Refusals, dead letters, retries): a message that cannot be
 * processed is dead-lettered once with its reason and acknowledged; a dead letter over Pub/Sub's
 * limits is cut to fit (the original kept in the dead-letter store); a dead letter that cannot
 * be published is redelivered only while the message is young, else acknowledged with an ERROR
 * naming it; and dead-lettering draws on the event's one deadline.
 */
import { PermanentError, RetryableError } from '../../../src/errors';
import { eventDeadline, withEventBudget } from '../../../src/gcp/budget';
import { pubsubLimitProblem } from '../../../src/gcp/pubsub/limits';
import type { OutgoingMessage, Publisher } from '../../../src/gcp/pubsub/publisher';
import type { NewObject } from '../../../src/gcp/storage/writes';
import { setLogSink } from '../../../src/log';
import { createHandler, type HandlerDeps } from '../../../src/pipeline/handler';
import { objectRef, rulesFrom } from '../routing/rules';

const TOPIC = 'projects/my-project/topics/ingest-requests';
const DEAD = 'projects/my-project/topics/dead';

const rulesText = (store = '') => `
allow:
  buckets: [landing]
  topics: [${TOPIC}]
deadLetterTopic: ${DEAD}
${store ? `deadLetterStore: ${store}` : ''}
routes:
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
    accepts: [object, request, inline]
`;

let lines: Record<string, unknown>[] = [];
beforeEach(() => {
  lines = [];
  setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
});

/** A Pub/Sub that refuses what the real one refuses (limits.ts), like the real one: HTTP 400. */
function pubsub(fail?: () => never) {
  const published: { topic: string; message: OutgoingMessage }[] = [];
  const publisher: Publisher = {
    publish: async (topic, message) => {
      if (fail) fail();
      const problem = pubsubLimitProblem(message);
      if (problem) throw new PermanentError(`Pub/Sub publish: HTTP 400: ${problem}`);
      published.push({ topic, message });
      return `dl-${published.length}`;
    },
  };
  return { publisher, published };
}

function setup(options: { store?: string; publisher?: Publisher; deps?: Partial<HandlerDeps> }) {
  const written: NewObject[] = [];
  const rules = rulesFrom(rulesText(options.store));
  const deps: HandlerDeps = {
    rules: () => rules,
    runtimeProject: async () => 'runtime',
    insertJob: async () => ({ outcome: 'submitted', job: {} }),
    getLiveObject: async () => undefined,
    deadLetters: {
      publisher: options.publisher ?? pubsub().publisher,
      writer: {
        create: async (object) => {
          written.push(object);
          return { kind: 'created', generation: '1' };
        },
      },
      retrySeconds: 3600,
    },
    ...options.deps,
  };
  return { handler: createHandler(deps), written };
}

function messageEvent(
  data: Buffer | string,
  attributes: Record<string, string> = {},
  publishTime = new Date().toISOString(),
) {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return {
    specversion: '1.0',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: `//pubsub.googleapis.com/${TOPIC}`,
    id: '4242',
    data: {
      message: { data: bytes.toString('base64'), attributes, messageId: '4242', publishTime },
      subscription: 'projects/my-project/subscriptions/push',
    },
  };
}

const manyAttributes = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, `v${i}`]));

describe('a message no decoder claims', () => {
  it.each([
    ['a command of no known kind', '{"kind":"Load"}', {}],
    ['plain text without a route attribute', 'hello', { origin: 'x' }],
  ])('(%s) is dead-lettered once with the reason and acknowledged', async (_, data, attrs) => {
    const { publisher, published } = pubsub();
    const { handler } = setup({ publisher });
    await handler(messageEvent(data, attrs));
    expect(published).toHaveLength(1);
    expect(published[0]?.topic).toBe(DEAD);
    expect(published[0]?.message.attributes).toMatchObject({
      ...attrs,
      reason: expect.stringMatching(/^not a message this function takes/),
      sourceTopic: TOPIC,
      sourceMessageId: '4242',
    });
    expect(lines).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        messageId: '4242',
        deadLetterMessageId: 'dl-1',
      }),
    ]);
  });

  it('an invalid sweep command is dead-lettered too', async () => {
    const { publisher, published } = pubsub();
    const { handler } = setup({ publisher });
    await handler(messageEvent('{"kind":"sweep","minAgeSeconds":-1}'));
    expect(published[0]?.message.attributes?.reason).toMatch(/^invalid sweep command: /);
  });
});

describe('a dead letter over Pub/Sub’s limits', () => {
  it('with 99 attributes (102 with ours) keeps ours and says it was cut', async () => {
    const { publisher, published } = pubsub();
    const { handler } = setup({ publisher });
    await handler(messageEvent('{"kind":"Load"}', manyAttributes(99)));
    const attributes = published[0]?.message.attributes ?? {};
    expect(Object.keys(attributes)).toHaveLength(100);
    expect(attributes).toMatchObject({
      reason: expect.stringMatching(/^not a message/),
      sourceMessageId: '4242',
      truncated: 'true',
      originalAttributes: '99',
      originalBytes: '15',
    });
    expect(lines[0]).toMatchObject({ outcome: 'refused', deadLetterMessageId: 'dl-1' });
  });

  it('over 10 MB without a store: as much data as fits, and how large the original was', async () => {
    const { publisher, published } = pubsub();
    const { handler, written } = setup({ publisher });
    const data = Buffer.alloc(9_000_000, 'x'); // 12 MB as base64 in the JSON request
    await handler(messageEvent(data, { route: 'nope' }));
    const sent = published[0]?.message;
    expect(sent?.attributes).toMatchObject({ truncated: 'true', originalBytes: '9000000' });
    expect(sent?.attributes?.originalUri).toBeUndefined();
    const kept = Buffer.from(sent?.data ?? '', 'base64');
    expect(kept.length).toBeGreaterThan(7_000_000);
    expect(kept.equals(data.subarray(0, kept.length))).toBe(true);
    expect(written).toEqual([]);
    expect(lines[0]).toMatchObject({ outcome: 'refused', originalBytes: 9_000_000 });
  });

  it('with a store: the original is written whole, the dead letter points to it', async () => {
    const { publisher, published } = pubsub();
    const { handler, written } = setup({ publisher, store: 'gs://dead-store/autoloader/' });
    const data = Buffer.alloc(9_000_000, 'y');
    await handler(messageEvent(data, { route: 'nope', k: 'v' }));
    const uri = `gs://dead-store/autoloader/${TOPIC}/4242.json`;
    expect(written).toHaveLength(1);
    expect(`gs://${written[0]?.bucket}/${written[0]?.name}`).toBe(uri);
    const original = JSON.parse(written[0]?.body.toString('utf8') ?? '{}');
    expect(original).toMatchObject({ messageId: '4242', topic: TOPIC, attributes: { k: 'v' } });
    expect(Buffer.from(original.data, 'base64').equals(data)).toBe(true);
    const sent = published[0]?.message;
    expect(sent?.attributes).toMatchObject({ truncated: 'true', originalUri: uri, k: 'v' });
    expect(Buffer.from(sent?.data ?? '', 'base64').length).toBe(64 * 1024);
    expect(lines[0]).toMatchObject({ outcome: 'refused', originalUri: uri });
  });
});

describe('a dead letter that cannot be published', () => {
  const failing = (error: Error) =>
    pubsub(() => {
      throw error;
    }).publisher;

  it('permanently: acknowledged with one ERROR line naming the message and both reasons', async () => {
    const { handler } = setup({ publisher: failing(new PermanentError('HTTP 404: no topic')) });
    await expect(handler(messageEvent('{"kind":"Load"}'))).resolves.toBeUndefined();
    expect(lines).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        outcome: 'refused',
        messageId: '4242',
        reason: expect.stringMatching(/^not a message this function takes/),
        deadLetterError: 'HTTP 404: no topic',
        message: expect.stringMatching(
          /^message 4242 refused and acknowledged WITHOUT a dead letter/,
        ),
      }),
    ]);
  });

  it('transiently, while the message is young: redelivered', async () => {
    const { handler } = setup({ publisher: failing(new RetryableError('HTTP 503')) });
    await expect(handler(messageEvent('{"kind":"Load"}'))).rejects.toBeInstanceOf(RetryableError);
    expect(lines.map((l) => l.outcome)).toEqual(['retry']);
  });

  it('transiently, once the message is older than the retry window: acknowledged with an ERROR', async () => {
    const { handler } = setup({ publisher: failing(new RetryableError('HTTP 503')) });
    const old = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
    await expect(handler(messageEvent('{"kind":"Load"}', {}, old))).resolves.toBeUndefined();
    expect(lines).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        outcome: 'refused',
        messageId: '4242',
        deadLetterError: 'HTTP 503',
      }),
    ]);
  });

  it('transiently, with a publish time in the future (forged): never young, acknowledged', async () => {
    const { handler } = setup({ publisher: failing(new RetryableError('HTTP 503')) });
    const ahead = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    await expect(handler(messageEvent('{"kind":"Load"}', {}, ahead))).resolves.toBeUndefined();
    expect(lines[0]).toMatchObject({ severity: 'ERROR', deadLetterError: 'HTTP 503' });
  });

  it('an unexpected error is bounded the same way', async () => {
    const { handler } = setup({ publisher: failing(new TypeError('boom')) });
    const undated = messageEvent('{"kind":"Load"}');
    delete (undated.data.message as { publishTime?: string }).publishTime;
    await expect(handler(undated)).resolves.toBeUndefined();
    expect(lines[0]).toMatchObject({ severity: 'ERROR', deadLetterError: 'boom' });
  });
});

describe('one deadline per event', () => {
  it('the dead letter is published under the deadline of the calls before it', async () => {
    const deadlines: { call: string; deadline: number | undefined }[] = [];
    const publisher: Publisher = {
      publish: async () => {
        deadlines.push({ call: 'publish', deadline: eventDeadline() });
        return 'dl-1';
      },
    };
    const { handler } = setup({
      publisher,
      deps: {
        withEventBudget: (work) => withEventBudget(60_000, work),
        external: {
          insertJob: async () => {
            deadlines.push({ call: 'insert', deadline: eventDeadline() });
            throw new PermanentError('invalid: no such dataset');
          },
          uploadJob: async () => ({ outcome: 'submitted', job: {} }),
          getLiveObject: async (bucket, name) => {
            deadlines.push({ call: 'read', deadline: eventDeadline() });
            return objectRef({ bucket, name });
          },
          listPrefix: async function* () {},
          fanOut: { publish: async () => 'chunk-1', chunkObjects: 100 },
        },
      },
    });
    const request = { kind: 'load', objects: ['gs://landing/sales/a.csv'] };
    await handler(messageEvent(JSON.stringify(request)));
    expect(deadlines.map((d) => d.call)).toEqual(['read', 'insert', 'publish']);
    const [first] = deadlines;
    expect(first?.deadline).toEqual(expect.any(Number));
    expect(deadlines.every((d) => d.deadline === first?.deadline)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ outcome: 'refused', deadLetterMessageId: 'dl-1' });
  });
});
