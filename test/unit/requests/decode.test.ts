/** Load requests and inline data, decoded from messagePublished CloudEvents (fixtures). */
import { decodeEvent } from '../../../src/events/decode';
import { topicOf } from '../../../src/events/load-request';
import { fixture } from '../events/fixtures';

const at = (name: string) => fixture(`requests/${name}`);

describe('decoding a load request', () => {
  it('names its objects once each, keeping the message for a dead letter', () => {
    const decoded = decodeEvent(at('load-objects'));
    expect(decoded).toMatchObject({
      kind: 'request',
      request: {
        objects: [
          { bucket: 'landing', name: 'sales/a.csv' },
          { bucket: 'landing', name: 'sales/b.csv' },
        ],
      },
      message: {
        topic: 'projects/my-project/topics/ingest-requests',
        messageId: '5551234567890123',
        attributes: {},
      },
    });
  });

  it('splits a prefix into bucket and name prefix and keeps the route', () => {
    expect(decodeEvent(at('load-prefix-route'))).toMatchObject({
      kind: 'request',
      request: { prefix: { bucket: 'landing', prefix: 'sales/2026-11-27/' }, route: 'sales' },
    });
  });

  it.each([
    { name: 'invalid-load-both', reason: 'either objects or prefix' },
    { name: 'invalid-load-extra-key', reason: 'table' },
    { name: 'invalid-load-not-gs', reason: 'data.objects[0]: expected gs://BUCKET/OBJECT' },
  ])('refuses $name with a reason naming the field, keeping the message', ({ name, reason }) => {
    const decoded = decodeEvent(at(name));
    expect(decoded.kind).toBe('refused');
    if (decoded.kind !== 'refused') return;
    expect(decoded.reason).toContain(reason);
    expect(decoded.message?.topic).toBe('projects/my-project/topics/ingest-requests');
  });

  it('refuses more than 10000 objects', () => {
    const event = at('load-objects');
    const objects = Array.from({ length: 10_001 }, (_, i) => `gs://landing/o${i}`);
    const message = (event.data as { message: { data: string } }).message;
    message.data = Buffer.from(JSON.stringify({ kind: 'load', objects })).toString('base64');
    const decoded = decodeEvent(event);
    expect(decoded).toMatchObject({ kind: 'refused' });
    expect(decoded.kind === 'refused' && decoded.reason).toMatch(/at most 10000 objects/);
  });
});

describe('decoding inline data', () => {
  it('keeps the bytes, normalizes the format and passes bq-* attributes on as override candidates', () => {
    const decoded = decodeEvent(at('inline-ndjson'));
    expect(decoded).toMatchObject({
      kind: 'inline',
      inline: {
        route: 'events',
        format: 'NEWLINE_DELIMITED_JSON',
        gzip: false,
        attributes: { 'bq-table': 'events_eu' },
      },
      message: { topic: 'projects/my-project/topics/ingest-inline' },
    });
    expect(decoded.kind === 'inline' && decoded.inline.bytes.toString()).toBe(
      '{"id":1}\n{"id":2}\n',
    );
  });

  it('accepts gzip data marked contentEncoding gzip', () => {
    expect(decodeEvent(at('inline-gzip-csv'))).toMatchObject({
      kind: 'inline',
      inline: { route: 'sales', format: 'CSV', gzip: true },
    });
  });

  it.each([
    { name: 'invalid-inline-gzip-not-gzip', reason: 'not gzip' },
    { name: 'invalid-inline-format', reason: 'attributes.format' },
  ])('refuses $name', ({ name, reason }) => {
    const decoded = decodeEvent(at(name));
    expect(decoded.kind).toBe('refused');
    expect(decoded.kind === 'refused' && decoded.reason).toContain(reason);
  });
});

describe('a message with a route attribute whose data is a command', () => {
  function withRoute(data: unknown) {
    const event = at('inline-ndjson');
    const message = (event.data as { message: Record<string, unknown> }).message;
    message.data = Buffer.from(JSON.stringify(data)).toString('base64');
    return event;
  }

  it.each([
    { kind: 'load', data: { kind: 'load', prefix: 'gs://landing/sales/', route: 'sales' } },
    { kind: 'sweep', data: { kind: 'sweep', routes: ['events'] } },
  ])('is refused as ambiguous when the data is a $kind message', ({ kind, data }) => {
    const decoded = decodeEvent(withRoute(data));
    expect(decoded).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining(`the data is a ${kind} message`),
      message: { topic: 'projects/my-project/topics/ingest-inline' },
    });
  });

  it.each([
    { name: 'a JSON row with another kind', data: { kind: 'click', id: 1 } },
    { name: 'a JSON row without kind', data: { id: 1 } },
  ])('is inline data when the data is $name', ({ data }) => {
    expect(decodeEvent(withRoute(data)).kind).toBe('inline');
  });
});

describe('topicOf', () => {
  it.each([
    ['//pubsub.googleapis.com/projects/p/topics/t', 'projects/p/topics/t'],
    ['//pubsub.googleapis.com/projects/p/subscriptions/s', undefined],
    ['projects/p/topics/t', 'projects/p/topics/t'],
  ])('%s → %s', (source, topic) => {
    expect(topicOf(source)).toBe(topic);
  });
});
