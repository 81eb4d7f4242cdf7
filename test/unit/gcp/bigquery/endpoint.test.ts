import { bigQueryBaseUrl, jobsGetUrl, jobsInsertUrl } from '../../../../src/gcp/bigquery/endpoint';

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

describe('jobs URLs', () => {
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
});
