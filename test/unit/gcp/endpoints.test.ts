import { envUniverse } from '../../../src/core/universe';
import { jobsGetUrl, jobsInsertUrl } from '../../../src/gcp/bigquery/client';
import { googleEndpoints } from '../../../src/gcp/endpoints';
import { objectUrl, uploadUrl } from '../../../src/gcp/storage/urls';

describe('BIGQUERY_EMULATOR_HOST', () => {
  it.each([
    [undefined, 'https://bigquery.googleapis.com'],
    ['', 'https://bigquery.googleapis.com'],
    ['127.0.0.1:9050', 'http://127.0.0.1:9050'],
    ['localhost:9050', 'http://localhost:9050'],
    ['http://127.0.0.1:9050', 'http://127.0.0.1:9050'],
    ['http://127.0.0.1:9050/', 'http://127.0.0.1:9050'],
    ['https://bq.example.test/prefix//', 'https://bq.example.test/prefix'],
  ])('turns BIGQUERY_EMULATOR_HOST=%p into %s', (value, expected) => {
    const env = value === undefined ? {} : { BIGQUERY_EMULATOR_HOST: value };
    expect(googleEndpoints(env).bigquery).toBe(expected);
  });
});

describe('googleEndpoints', () => {
  it('answers the public endpoints, every one authenticated, without emulators', () => {
    expect(googleEndpoints({})).toEqual({
      universe: 'googleapis.com',
      bigquery: 'https://bigquery.googleapis.com',
      storage: 'https://storage.googleapis.com/storage/v1',
      pubsub: 'https://pubsub.googleapis.com',
      authenticated: { bigquery: true, storage: true, pubsub: true },
    });
  });

  it('uses STORAGE_EMULATOR_HOST verbatim as the API base and sends it no credentials', () => {
    const endpoints = googleEndpoints({
      STORAGE_EMULATOR_HOST: 'http://127.0.0.1:4443/storage/v1/',
    });
    expect(endpoints.storage).toBe('http://127.0.0.1:4443/storage/v1');
    expect(endpoints.authenticated).toEqual({ bigquery: true, storage: false, pubsub: true });
  });

  it.each([
    ['127.0.0.1:8085', 'http://127.0.0.1:8085'],
    ['http://h:1/', 'http://h:1'],
  ])('turns PUBSUB_EMULATOR_HOST=%s into %s, sent no credentials', (host, url) => {
    const endpoints = googleEndpoints({ PUBSUB_EMULATOR_HOST: host });
    expect(endpoints.pubsub).toBe(url);
    expect(endpoints.authenticated.pubsub).toBe(false);
  });

  it('still authenticates BigQuery requests to an emulator', () => {
    expect(
      googleEndpoints({ BIGQUERY_EMULATOR_HOST: '127.0.0.1:9050' }).authenticated.bigquery,
    ).toBe(true);
  });
});

describe('universes and regional endpoints', () => {
  it('derives every endpoint from GOOGLE_CLOUD_UNIVERSE_DOMAIN', () => {
    expect(googleEndpoints({ GOOGLE_CLOUD_UNIVERSE_DOMAIN: 's3nsapis.fr' })).toMatchObject({
      universe: 's3nsapis.fr',
      bigquery: 'https://bigquery.s3nsapis.fr',
      storage: 'https://storage.s3nsapis.fr/storage/v1',
      pubsub: 'https://pubsub.s3nsapis.fr',
    });
  });

  it('sends BigQuery and Storage to the location, Pub/Sub to its global endpoint', () => {
    const choice = { universe: 's3nsapis.fr', regionalLocation: 'europe-west9' };
    expect(googleEndpoints({}, choice)).toMatchObject({
      bigquery: 'https://bigquery.europe-west9.rep.s3nsapis.fr',
      storage: 'https://storage.europe-west9.rep.s3nsapis.fr/storage/v1',
      pubsub: 'https://pubsub.s3nsapis.fr',
    });
    expect(
      googleEndpoints({}, { universe: 'googleapis.com', regionalLocation: 'EUROPE-WEST3' }),
    ).toMatchObject({ bigquery: 'https://bigquery.europe-west3.rep.googleapis.com' });
  });

  it('lets emulators win over the universe and the location', () => {
    const env = {
      BIGQUERY_EMULATOR_HOST: '127.0.0.1:1',
      STORAGE_EMULATOR_HOST: 'http://127.0.0.1:2/storage/v1',
    };
    expect(
      googleEndpoints(env, { universe: 's3nsapis.fr', regionalLocation: 'europe-west9' }),
    ).toMatchObject({
      bigquery: 'http://127.0.0.1:1',
      storage: 'http://127.0.0.1:2/storage/v1',
      pubsub: 'https://pubsub.s3nsapis.fr',
    });
  });

  it.each([
    ['S3NSAPIS.FR', 's3nsapis.fr'],
    ['', undefined],
    [undefined, undefined],
  ])('reads GOOGLE_CLOUD_UNIVERSE_DOMAIN=%p as %p', (value, expected) => {
    expect(envUniverse(value === undefined ? {} : { GOOGLE_CLOUD_UNIVERSE_DOMAIN: value })).toBe(
      expected,
    );
  });

  it.each(['https://s3nsapis.fr', 'localhost', 's3ns apis.fr', 'bigquery.googleapis.com/'])(
    'refuses GOOGLE_CLOUD_UNIVERSE_DOMAIN=%s, naming the variable',
    (value) => {
      expect(() => envUniverse({ GOOGLE_CLOUD_UNIVERSE_DOMAIN: value })).toThrow(
        /GOOGLE_CLOUD_UNIVERSE_DOMAIN must be a domain/,
      );
    },
  );
});

describe('API URLs', () => {
  it('builds the jobs.insert metadata URI with the project encoded', () => {
    expect(jobsInsertUrl('http://h:1', 'example.com:proj')).toBe(
      'http://h:1/bigquery/v2/projects/example.com%3Aproj/jobs',
    );
  });

  it('builds the jobs.get URI with the job id encoded and the location in the query', () => {
    expect(jobsGetUrl('http://h:1', 'p', 'a/b c', 'europe-west1')).toBe(
      'http://h:1/bigquery/v2/projects/p/jobs/a%2Fb%20c?location=europe-west1',
    );
  });

  it('encodes an object name as one path segment and leaves undefined parameters out', () => {
    expect(
      objectUrl('http://h/storage/v1', 'b', 'a/b c#?.csv', { generation: '7', fields: undefined }),
    ).toBe('http://h/storage/v1/b/b/o/a%2Fb%20c%23%3F.csv?generation=7');
  });

  it.each([
    ['https://storage.googleapis.com/storage/v1'],
    ['https://storage.googleapis.com/storage/v1/'],
  ])('puts uploads beside the JSON API of %s, the name in the query', (base) => {
    expect(
      uploadUrl(base, 'b', { uploadType: 'media', name: '.x/a b', ifGenerationMatch: '0' }),
    ).toBe(
      'https://storage.googleapis.com/upload/storage/v1/b/b/o?uploadType=media&name=.x%2Fa%20b&ifGenerationMatch=0',
    );
  });
});
