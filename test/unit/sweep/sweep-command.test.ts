import { decodeEvent } from '../../../src/events/decode';

function published(data: unknown, raw?: string) {
  return {
    specversion: '1.0',
    id: 'tick-1',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/p/topics/sweeps',
    data: {
      message: {
        data: Buffer.from(raw ?? JSON.stringify(data)).toString('base64'),
        messageId: '1',
      },
    },
  };
}

describe('a sweep command', () => {
  it.each([
    [
      'with every key defaulted (the token is the Pub/Sub message id)',
      { kind: 'sweep' },
      { minAgeSeconds: 300, dryRun: false, token: '1' },
    ],
    [
      'with routes, an age and a dry run',
      { kind: 'sweep', routes: ['events'], minAgeSeconds: 60, dryRun: true },
      { routes: ['events'], minAgeSeconds: 60, dryRun: true, token: '1' },
    ],
    [
      'with a token of its own',
      { kind: 'sweep', token: 'scheduler-a:2026-11-28T12:00' },
      { minAgeSeconds: 300, dryRun: false, token: 'scheduler-a:2026-11-28T12:00' },
    ],
  ])('decodes %s', (_what, data, command) => {
    expect(decodeEvent(published(data))).toEqual({
      kind: 'sweep',
      command,
      topic: 'projects/p/topics/sweeps',
    });
  });

  it.each([
    ['a negative age', { kind: 'sweep', minAgeSeconds: -1 }, 'data.message.data.minAgeSeconds'],
    ['an unknown key', { kind: 'sweep', everything: true }, 'unrecognized key'],
    ['a token with a slash', { kind: 'sweep', token: 'a/b' }, 'data.message.data.token'],
    ['routes that are not a list', { kind: 'sweep', routes: 'events' }, 'data.message.data.routes'],
    [
      'a catch-up window over 30 days',
      { kind: 'sweep', maxAgeSeconds: 31 * 86_400 },
      'data.message.data.maxAgeSeconds',
    ],
  ])('is refused with %s, naming the field', (_what, data, text) => {
    const decoded = decodeEvent(published(data));
    expect(decoded).toMatchObject({ kind: 'refused', reason: expect.stringContaining(text) });
    expect(decoded).toMatchObject({ reason: expect.stringMatching(/^invalid sweep command: /) });
    // With the message: a command that can never run is dead-lettered, not only logged.
    expect(decoded).toMatchObject({ message: { data: expect.any(String), attributes: {} } });
  });

  it('is not claimed when the data is not JSON', () => {
    expect(decodeEvent(published(undefined, 'sweep please'))).not.toMatchObject({ kind: 'sweep' });
  });
});
