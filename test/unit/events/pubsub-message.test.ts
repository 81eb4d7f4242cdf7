import { messageBytes, messageJson, messageText } from '../../../src/events/pubsub-message';

const b64 = (bytes: number[] | string) =>
  (typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes)).toString('base64');

describe('message data', () => {
  it.each([
    [undefined, ''],
    ['', ''],
    [b64('{"kind":"load"}'), '{"kind":"load"}'],
    [b64('ab'), 'ab'],
    [b64('ab').replace(/=+$/, ''), 'ab'],
    [Buffer.from([0xfb, 0xff]).toString('base64url'), '\u00fb\u00ff'],
  ])('decodes %j', (data, text) => {
    expect(messageBytes({ data })?.toString('latin1')).toBe(text);
  });

  it.each([
    ['QUJD!', 'a character outside the alphabet'],
    ['QUJDR', 'a dangling character (4n+1)'],
    ['QR==', 'stray bits after the last byte'],
    ['QQ==QQ==', 'padding in the middle'],
    ['Q===', 'three pads'],
  ])('refuses %j: %s', (data) => {
    expect(messageBytes({ data })).toBeUndefined();
    expect(messageText({ data })).toEqual({ problem: 'message data is not base64' });
  });

  it('refuses bytes that are not UTF-8 where text is expected', () => {
    expect(messageText({ data: b64([0x7b, 0xc3, 0x28, 0x7d]) })).toEqual({
      problem: 'message data is not UTF-8',
    });
    expect(messageJson({ data: b64([0x22, 0xff, 0x22]) })).toEqual({
      problem: 'message data is not UTF-8',
    });
  });

  it('refuses JSON nested deeper than 64 levels without parsing it', () => {
    const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    // How long this takes is timed by `npm run bench` (bench/adversarial.ts), not here.
    expect(messageJson({ data: b64(deep) })).toEqual({
      problem: 'message data nests deeper than 64 levels',
    });
    expect(messageJson({ data: b64('{"a":[1]}') })).toEqual({ json: { a: [1] } });
  });
});
