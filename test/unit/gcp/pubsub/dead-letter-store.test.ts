/**
 * A dead letter over Pub/Sub's limits whose original the store cannot keep still goes out,
 * cut and saying why (a 403 on the store's bucket must not lose it); attributes Pub/Sub
 * reserves (`goog…`) are left out rather than failing the publish.
 */
import { PermanentError, RetryableError } from '../../../../src/errors';
import { sendDeadLetter } from '../../../../src/gcp/pubsub/dead-letter';
import { pubsubLimitProblem } from '../../../../src/gcp/pubsub/limits';
import type { OutgoingMessage, Publisher } from '../../../../src/gcp/pubsub/publisher';
import type { PublishedMessage } from '../../../../src/types';

const DEAD = 'projects/p/topics/dead';

function pubsub() {
  const published: OutgoingMessage[] = [];
  const publisher: Publisher = {
    publish: async (_topic, message) => {
      const problem = pubsubLimitProblem(message);
      if (problem) throw new PermanentError(`HTTP 400: ${problem}`);
      published.push(message);
      return `dl-${published.length}`;
    },
  };
  return { publisher, published };
}

const big: PublishedMessage = {
  topic: 'projects/p/topics/in',
  messageId: '77',
  data: Buffer.alloc(9_000_000, 'z').toString('base64'),
  attributes: { k: 'v' },
};

const failingStore = (error: Error) => ({
  bucket: 'dead-store',
  prefix: 'x/',
  writer: {
    create: async () => {
      throw error;
    },
  },
});

it('a store refusing for good (403): the dead letter goes out cut, naming the store error', async () => {
  const { publisher, published } = pubsub();
  const store = failingStore(
    new PermanentError('Cloud Storage: HTTP 403: no storage.objects.create'),
  );
  const sent = await sendDeadLetter(publisher, DEAD, big, 'why', store);
  expect(sent.truncated).toMatchObject({
    originalBytes: 9_000_000,
    storeError: 'Cloud Storage: HTTP 403: no storage.objects.create',
  });
  expect(sent.truncated?.originalUri).toBeUndefined();
  expect(published[0]?.attributes).toMatchObject({
    truncated: 'true',
    k: 'v',
    originalStoreError: 'Cloud Storage: HTTP 403: no storage.objects.create',
  });
  expect(Buffer.from(published[0]?.data ?? '', 'base64').length).toBeGreaterThan(7_000_000);
});

it('a store failing for now: retried by redelivery, or cut when the caller says so', async () => {
  const store = failingStore(new RetryableError('HTTP 503'));
  const first = pubsub();
  await expect(sendDeadLetter(first.publisher, DEAD, big, 'why', store)).rejects.toBeInstanceOf(
    RetryableError,
  );
  expect(first.published).toEqual([]);
  const later = pubsub();
  await sendDeadLetter(later.publisher, DEAD, big, 'why', store, 'cut');
  expect(later.published[0]?.attributes).toMatchObject({ originalStoreError: 'HTTP 503' });
});

it('leaves out attributes Pub/Sub reserves (goog…) instead of failing the publish', async () => {
  const { publisher, published } = pubsub();
  const message = { ...big, data: 'eyJ9', attributes: { googReserved: 'x', keep: 'y' } };
  const sent = await sendDeadLetter(publisher, DEAD, message, 'why');
  expect(sent.truncated?.problem).toMatch(/goog/);
  expect(published[0]?.attributes).toMatchObject({ keep: 'y', truncated: 'true' });
  expect(published[0]?.attributes?.googReserved).toBeUndefined();
});
