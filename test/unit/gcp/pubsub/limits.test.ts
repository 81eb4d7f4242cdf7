/** Pub/Sub's per-message limits (src/gcp/pubsub/limits.ts) and dead-letter names. */
import { originalName } from '../../../../src/gcp/pubsub/dead-letter';
import {
  cutToFit,
  PUBSUB_LIMITS,
  publishRequestBytes,
  pubsubLimitProblem,
} from '../../../../src/gcp/pubsub/limits';

describe('pubsubLimitProblem', () => {
  it.each([
    [
      '101 attributes',
      { attributes: Object.fromEntries([...Array(101).keys()].map((i) => [`k${i}`, 'v'])) },
      /101 attributes/,
    ],
    ['a 257-byte key', { attributes: { ['k'.repeat(257)]: 'v' } }, /key over 256/],
    [
      'a 1,025-byte value (multi-byte characters counted as bytes)',
      { attributes: { k: 'é'.repeat(513) } },
      /value over 1024/,
    ],
    [
      'a request over 10,000,000 bytes',
      { data: Buffer.alloc(7_500_001).toString('base64'), attributes: {} },
      /publish request of/,
    ],
  ])('names %s', (_what, message, problem) => {
    expect(pubsubLimitProblem(message)).toMatch(problem);
  });

  it('takes a message at the limits', () => {
    const attributes = Object.fromEntries(
      [...Array(100).keys()].map((i) => [`${i}`.padEnd(256, 'k'), 'v'.repeat(1024)]),
    );
    expect(pubsubLimitProblem({ data: 'AAAA', attributes })).toBeUndefined();
  });
});

describe('cutToFit', () => {
  it('keeps the fixed attributes, then the own ones in order, leaving out impossible ones', () => {
    const own = {
      bad: 'x'.repeat(2000),
      ...Object.fromEntries([...Array(120).keys()].map((i) => [`k${i}`, 'v'])),
    };
    const cut = cutToFit({ attributes: own }, { reason: 'r', truncated: 'true' });
    expect(Object.keys(cut.attributes ?? {})).toHaveLength(PUBSUB_LIMITS.attributes);
    expect(cut.attributes).toMatchObject({ reason: 'r', truncated: 'true', k0: 'v', k97: 'v' });
    expect(cut.attributes?.bad).toBeUndefined();
    expect(cut.attributes?.k98).toBeUndefined();
  });

  it('keeps the first bytes of the data, as many as fit or at most maxDataBytes', () => {
    const data = Buffer.alloc(9_000_000, 7);
    const cut = cutToFit({ data: data.toString('base64') }, { reason: 'r' });
    expect(publishRequestBytes(cut)).toBeLessThanOrEqual(PUBSUB_LIMITS.requestBytes);
    expect(Buffer.from(cut.data ?? '', 'base64').length).toBeGreaterThan(7_400_000);
    const excerpt = cutToFit({ data: data.toString('base64') }, { reason: 'r' }, 100);
    expect(Buffer.from(excerpt.data ?? '', 'base64')).toEqual(data.subarray(0, 100));
  });
});

describe('originalName', () => {
  it('is the topic and message id, the same on every delivery', () => {
    expect(originalName({ topic: 'projects/p/topics/t', messageId: '123', attributes: {} })).toBe(
      'projects/p/topics/t/123.json',
    );
  });

  it('replaces a topic or id that is not a plain name', () => {
    const name = originalName({ topic: 'projects/../topics/t', messageId: '../x', attributes: {} });
    expect(name).toMatch(/^unknown-topic\/[0-9a-f]{64}\.json$/);
  });
});
