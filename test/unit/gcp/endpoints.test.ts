import { jobsGetUrl, jobsInsertUrl } from '../../../src/gcp/bigquery/client';
import { bigQueryBaseUrl, googleEndpoints } from '../../../src/gcp/endpoints';
import { objectUrl } from '../../../src/gcp/storage/urls';

describe('bigQueryBaseUrl', () => {
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
    expect(bigQueryBaseUrl(env)).toBe(expected);
  });
});

describe('googleEndpoints', () => {
  it('answers the public endpoints, every one authenticated, without emulators', () => {
    expect(googleEndpoints({})).toEqual({
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
});
