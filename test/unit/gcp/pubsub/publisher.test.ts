/** The Pub/Sub REST publisher and dead letters, against a scripted server as the emulator. */

import { RetryableError } from '../../../../src/errors';
import { createGoogleEdge } from '../../../../src/gcp/edge';
import { deadLetterMessage } from '../../../../src/gcp/pubsub/dead-letter';
import { createPublisher, truncateUtf8 } from '../../../../src/gcp/pubsub/publisher';
import { type FakeServer, startFakeServer } from '../fake-servers';

const TINY_RETRY = { initialDelayMs: 1, maxDelayMs: 5, budgetMs: 500 };

describe('createPublisher with PUBSUB_EMULATOR_HOST', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const publisher = () =>
    createPublisher({
      edge: createGoogleEdge({ env: { PUBSUB_EMULATOR_HOST: server.host } }),
      retry: TINY_RETRY,
    });

  it('posts one message to topics.publish and answers its id', async () => {
    server.answers.push({ status: 200, body: { messageIds: ['77'] } });
    const id = await publisher().publish('projects/p/topics/dead', {
      data: 'eyJ9',
      attributes: { reason: 'r' },
    });
    expect(id).toBe('77');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      url: '/v1/projects/p/topics/dead:publish',
    });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      messages: [{ data: 'eyJ9', attributes: { reason: 'r' } }],
    });
  });

  it('encodes a prefixed project in the topic path, keeping the :publish verb', async () => {
    server.answers.push({ status: 200, body: { messageIds: ['8'] } });
    await publisher().publish('projects/s3ns:example-project/topics/dead', { attributes: {} });
    expect(server.requests[0]?.url).toBe('/v1/projects/s3ns%3Aexample-project/topics/dead:publish');
  });

  it('retries a 503 and then succeeds', async () => {
    server.answers.push({ status: 503, body: { error: { code: 503, message: 'x' } } });
    server.answers.push({ status: 200, body: { messageIds: ['1'] } });
    await expect(
      publisher().publish('projects/p/topics/t', { attributes: { a: 'b' } }),
    ).resolves.toBe('1');
    expect(server.requests).toHaveLength(2);
  });

  it('throws a RetryableError when the topic cannot take the message for the whole budget', async () => {
    const fallbackServer = await startFakeServer(() => ({ status: 503, body: {} }));
    const p = createPublisher({
      edge: createGoogleEdge({ env: { PUBSUB_EMULATOR_HOST: fallbackServer.host } }),
      retry: TINY_RETRY,
    });
    await expect(p.publish('projects/p/topics/t', { attributes: {} })).rejects.toBeInstanceOf(
      RetryableError,
    );
    await fallbackServer.close();
  });

  it('refuses a topic that does not exist without retrying', async () => {
    server.answers.push({
      status: 404,
      body: { error: { code: 404, message: 'Resource not found', status: 'NOT_FOUND' } },
    });
    await expect(
      publisher().publish('projects/p/topics/missing', { attributes: { a: 'b' } }),
    ).rejects.toMatchObject({
      name: 'PermanentError',
      message:
        'Pub/Sub publish to projects/p/topics/missing: HTTP 404 NOT_FOUND: Resource not found',
    });
    expect(server.requests).toHaveLength(1);
  });
});

describe('deadLetterMessage', () => {
  it('keeps data and attributes and adds the reason and where the message came from', () => {
    const letter = deadLetterMessage(
      {
        topic: 'projects/p/topics/in',
        messageId: '9',
        data: 'ZGF0YQ==',
        attributes: { route: 'events' },
      },
      'route "events" does not accept inline',
    );
    expect(letter).toEqual({
      data: 'ZGF0YQ==',
      attributes: {
        route: 'events',
        reason: 'route "events" does not accept inline',
        sourceTopic: 'projects/p/topics/in',
        sourceMessageId: '9',
      },
    });
  });

  it('cuts a long reason to the 1024-byte attribute limit without splitting a character', () => {
    const reason = 'é'.repeat(2000);
    const cut = truncateUtf8(reason);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(1024);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.slice(0, -1)).toMatch(/^é+$/);
  });
});
