import { decodeEvent } from '../../../src/events/decode';
import type { DecodedEvent } from '../../../src/types';
import { fixture, fixtureData } from './fixtures';

const URI = 'gs://landing-prod/sales/emea/2026-11-27/orders 01.csv';

const salesObject = {
  bucket: 'landing-prod',
  name: 'sales/emea/2026-11-27/orders 01.csv',
  generation: '1764241810123456',
  metageneration: '1',
  size: 48213,
  contentType: 'text/csv',
  metadata: { 'uploaded-by': 'exporter' },
  timeCreated: '2026-11-27T10:30:10.123Z',
};

describe('decodeEvent', () => {
  it.each<[string, DecodedEvent]>([
    ['storage/finalized', { kind: 'object', object: salesObject, via: 'object' }],
    ['storage/finalized-numbers', { kind: 'object', object: salesObject, via: 'object' }],
    [
      'storage/finalized-composite-no-metadata',
      {
        kind: 'object',
        via: 'object',
        object: {
          bucket: 'landing-prod',
          name: 'events/2026/11/27/part-0000.ndjson.gz',
          generation: '1764241810123456',
          metageneration: '1',
          size: 1048576,
          contentType: 'application/x-ndjson',
          contentEncoding: 'gzip',
          metadata: {},
          timeCreated: '2026-11-27T10:30:10.123Z',
        },
      },
    ],
    [
      'gcs-notification/finalize-json-api-v1',
      {
        kind: 'object',
        object: salesObject,
        via: 'object',
        topic: 'projects/my-project/topics/gcs-landing',
      },
    ],
    [
      'gcs-notification/finalize-json-api-v1-overwrite',
      {
        kind: 'object',
        object: salesObject,
        via: 'object',
        topic: 'projects/my-project/topics/gcs-landing',
      },
    ],
    [
      'gcs-notification/finalize-none',
      {
        kind: 'pointer',
        via: 'object',
        topic: 'projects/my-project/topics/gcs-landing',
        pointer: {
          bucket: 'landing-prod',
          name: 'sales/emea/2026-11-27/orders 01.csv',
          generation: '1764241810123456',
        },
      },
    ],
    [
      'pubsub-push/notification-none',
      {
        kind: 'pointer',
        via: 'object',
        pointer: {
          bucket: 'landing-prod',
          name: 'sales/emea/2026-11-27/orders 01.csv',
          generation: '1764241810123456',
        },
      },
    ],
  ])('decodes %s into an object reference', (name, expected) => {
    expect(decodeEvent(fixture(name))).toEqual(expected);
  });

  it.each([
    ['storage/metadata-updated', 'storage event metadataUpdated is not a new object generation'],
    ['storage/deleted', 'storage event deleted is not a new object generation'],
    ['storage/archived', 'storage event archived is not a new object generation'],
    [
      'gcs-notification/metadata-update',
      'Cloud Storage notification OBJECT_METADATA_UPDATE is not a new object generation',
    ],
    [
      'gcs-notification/delete',
      'Cloud Storage notification OBJECT_DELETE is not a new object generation',
    ],
    [
      'pubsub-push/notification-metadata-update-none',
      'Cloud Storage notification OBJECT_METADATA_UPDATE is not a new object generation',
    ],
  ])('ignores %s, naming the object', (name, reason) => {
    expect(decodeEvent(fixture(name))).toEqual({ kind: 'ignored', reason, object: URI });
  });

  it.each([
    ['storage/invalid-missing-generation', /^invalid .*finalized event: data\.generation: /, URI],
    ['storage/invalid-negative-size', /data\.size: expected a non-negative int64/, URI],
    ['storage/invalid-metadata-not-strings', /data\.metadata\.rows: expected string/, URI],
    [
      'gcs-notification/invalid-generation-mismatch',
      /^data\.message\.data\.generation does not match data\.message\.attributes\.objectGeneration$/,
      URI,
    ],
    [
      'gcs-notification/invalid-payload-not-json',
      /^data\.message\.data: expected the object resource as JSON \(message data is not JSON\)$/,
      URI,
    ],
    ['gcs-notification/invalid-payload-empty', /^data\.message\.data: expected base64/, URI],
    [
      'gcs-notification/invalid-missing-object-generation',
      /data\.message\.attributes\.objectGeneration: /,
      URI,
    ],
    ['pubsub/invalid-no-message', /data\.message: missing \(expected object\)$/, undefined],
    ['envelope/plain-json', /^not a CloudEvent 1\.0: specversion: .*; type: .*; id: /, undefined],
    ['envelope/wrong-specversion', /^not a CloudEvent 1\.0: specversion: /, undefined],
    ['envelope/missing-id', /^not a CloudEvent 1\.0: id: missing \(expected string\)$/, undefined],
    [
      'envelope/unknown-type',
      /^unsupported event type google\.cloud\.firestore\.document\.v1\.written$/,
      undefined,
    ],
  ])('refuses %s with a reason naming the field', (name, reason, object) => {
    const decoded = decodeEvent(fixture(name));

    // toEqual treats `object: undefined` as absent.
    expect(decoded).toEqual({ kind: 'refused', reason: expect.stringMatching(reason), object });
  });

  it('refuses a message no decoder claims with the message itself, so it can be dead-lettered', () => {
    expect(decodeEvent(fixture('pubsub/plain-message'))).toEqual({
      kind: 'refused',
      reason: expect.stringMatching(/^not a message this function takes: /),
      message: {
        topic: 'projects/my-project/topics/other',
        messageId: '9876543210123456',
        publishTime: '2026-11-27T10:30:11.02Z',
        data: 'eyJoZWxsbyI6IndvcmxkIn0=',
        attributes: { origin: 'billing-exporter' },
      },
    });
  });

  it.each([null, undefined, 'google.cloud.storage.object.v1.finalized', 42, [], {}])(
    'refuses %p instead of throwing',
    (input) => {
      expect(decodeEvent(input)).toEqual({
        kind: 'refused',
        reason: expect.stringMatching(/^not a CloudEvent 1\.0: /),
      });
    },
  );

  it('never puts the offending value into the reason', () => {
    const { event, data } = fixtureData('storage/finalized');
    data.generation = 'customer-secret-value';
    data.size = { secret: 'customer-secret-value' };

    const decoded = decodeEvent(event);

    expect(decoded.kind).toBe('refused');
    expect(JSON.stringify(decoded)).not.toContain('customer-secret-value');
  });

  it('refuses a generation sent as a number beyond 2^53, which has already lost precision', () => {
    const { event, data } = fixtureData('storage/finalized');
    data.generation = 2 ** 53 + 2;

    expect(decodeEvent(event)).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('data.generation: expected a non-negative int64'),
    });
  });

  it('keeps a generation sent as a string beyond 2^53 exact', () => {
    const { event, data } = fixtureData('storage/finalized');
    data.generation = '9007199254740993';

    expect(decodeEvent(event)).toMatchObject({
      kind: 'object',
      object: { generation: '9007199254740993' },
    });
  });

  it('reads an object without custom metadata as an empty map', () => {
    const { event, data } = fixtureData('storage/finalized');
    data.metadata = null;

    expect(decodeEvent(event)).toMatchObject({ kind: 'object', object: { metadata: {} } });
  });

  it('refuses a notification with an unknown payload format', () => {
    const { event, data } = fixtureData('gcs-notification/finalize-none');
    const message = data.message as { attributes: Record<string, string> };
    message.attributes.payloadFormat = 'PROTOBUF';

    expect(decodeEvent(event)).toEqual({
      kind: 'refused',
      reason: expect.stringContaining('data.message.attributes.payloadFormat: unsupported value'),
      object: URI,
    });
  });

  it('refuses a JSON_API_V1 payload whose bucket differs from the attributes', () => {
    const { event, data } = fixtureData('gcs-notification/finalize-json-api-v1');
    const message = data.message as { data: string };
    const resource = JSON.parse(Buffer.from(message.data, 'base64').toString('utf8'));
    message.data = Buffer.from(JSON.stringify({ ...resource, bucket: 'other' })).toString('base64');

    expect(decodeEvent(event)).toMatchObject({
      kind: 'refused',
      reason: 'data.message.data.bucket does not match data.message.attributes.bucketId',
    });
  });
});
