import { GoogleAuth } from 'google-auth-library';
import { PermanentError, RetryableError } from '../../../../src/errors';
import { createBigQueryClient } from '../../../../src/gcp/bigquery/client';
import { withEventBudget } from '../../../../src/gcp/budget';
import { createGoogleEdge } from '../../../../src/gcp/edge';
import { MIN_ATTEMPT_TIMEOUT_MS } from '../../../../src/gcp/retry';
import type { LoadPlan } from '../../../../src/types';
import {
  type Answer,
  type FakeServer,
  startFakeServer,
  startMetadataServer,
} from '../fake-servers';
import { useMetadataEnv } from '../metadata-env';

const TINY_RETRY = { initialDelayMs: 1, maxDelayMs: 5, budgetMs: 2_000 };

function plan(over: Partial<LoadPlan> = {}): LoadPlan {
  const jobId = 'bqal_sales_3f9c2a';
  return {
    route: 'sales',
    projectId: 'billing-project',
    location: 'EU',
    jobId,
    object: 'gs://landing-prod/sales/a.csv',
    job: {
      jobReference: { projectId: 'billing-project', jobId, location: 'EU' },
      configuration: {
        load: {
          destinationTable: { projectId: 'data-project', datasetId: 'raw', tableId: 'sales' },
          sourceUris: ['gs://landing-prod/sales/a.csv'],
          sourceFormat: 'CSV',
        },
        labels: { route: 'sales', bucket: 'landing-prod' },
      },
    },
    ...over,
  };
}

const jobResource = (state: string, configuration: unknown = plan().job.configuration) => ({
  kind: 'bigquery#job',
  id: 'billing-project:EU.bqal_sales_3f9c2a',
  jobReference: { projectId: 'billing-project', jobId: 'bqal_sales_3f9c2a', location: 'EU' },
  configuration,
  status: { state },
});

const apiError = (code: number, reason: string, message: string): Answer => ({
  status: code,
  body: { error: { code, message, errors: [{ reason, message, domain: 'global' }] } },
});

describe('createBigQueryClient', () => {
  let metadata: FakeServer;
  let bigquery: FakeServer;
  let restoreEnv: () => void;

  beforeAll(async () => {
    metadata = await startMetadataServer();
    restoreEnv = useMetadataEnv(metadata.host);
  });

  afterAll(async () => {
    restoreEnv();
    await metadata.close();
  });

  beforeEach(async () => {
    bigquery = await startFakeServer();
  });

  afterEach(async () => {
    await bigquery.close();
  });

  function client() {
    return createBigQueryClient({
      edge: createGoogleEdge({
        env: { BIGQUERY_EMULATOR_HOST: bigquery.host },
        auth: new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/bigquery'] }),
      }),
      retry: TINY_RETRY,
    });
  }

  const inserts = () => bigquery.requests.filter((r) => r.method === 'POST');

  it('posts the job to the metadata URI of the billed project with a bearer token', async () => {
    bigquery.answers.push({ status: 200, body: jobResource('RUNNING') });

    const result = await client().insertJob(plan());

    expect(result).toEqual({ outcome: 'submitted', job: jobResource('RUNNING') });
    expect(bigquery.requests).toHaveLength(1);
    const [request] = bigquery.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/bigquery/v2/projects/billing-project/jobs');
    expect(request?.headers.authorization).toBe('Bearer t');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request?.body ?? '')).toEqual(plan().job);
  });

  it('asks the metadata server for a token with the configured scopes', async () => {
    bigquery.answers.push({ status: 200, body: jobResource('RUNNING') });
    const before = metadata.requests.length;

    await client().insertJob(plan());

    const tokenRequests = metadata.requests
      .slice(before)
      .filter((r) =>
        r.url.startsWith('/computeMetadata/v1/instance/service-accounts/default/token'),
      );
    expect(tokenRequests).toHaveLength(1);
    expect(decodeURIComponent(tokenRequests[0]?.url ?? '')).toContain(
      'scopes=https://www.googleapis.com/auth/bigquery',
    );
  });

  it('encodes the project id in the URL', async () => {
    bigquery.answers.push({ status: 200, body: jobResource('RUNNING') });

    await client().insertJob(plan({ projectId: 'example.com:my-project' }));

    expect(bigquery.requests[0]?.url).toBe('/bigquery/v2/projects/example.com%3Amy-project/jobs');
  });

  it('reports a job that BigQuery accepted but already failed as submitted', async () => {
    const failed = {
      ...jobResource('DONE'),
      status: { state: 'DONE', errorResult: { reason: 'invalid', message: 'bad CSV' } },
    };
    bigquery.answers.push({ status: 200, body: failed });

    await expect(client().insertJob(plan())).resolves.toEqual({
      outcome: 'submitted',
      job: failed,
    });
  });

  it.each<[string, Answer]>([
    ['HTTP 503', apiError(503, 'backendError', 'Backend error')],
    ['HTTP 429', apiError(429, 'rateLimitExceeded', 'Too many requests')],
    ['HTTP 403 rateLimitExceeded', apiError(403, 'rateLimitExceeded', 'Exceeded rate limits')],
    ['HTTP 500 without a body', { status: 500, body: '' }],
    ['a connection reset', 'reset'],
  ])('retries after %s and submits exactly one job', async (_, failure) => {
    bigquery.answers.push(failure, failure, { status: 200, body: jobResource('PENDING') });

    const result = await client().insertJob(plan());

    expect(result.outcome).toBe('submitted');
    expect(inserts()).toHaveLength(3);
    const bodies = new Set(inserts().map((r) => r.body));
    expect(bodies.size).toBe(1); // the same job id each time
  });

  it('refuses a 400 invalid as a PermanentError after exactly one request', async () => {
    bigquery.answers.push(apiError(400, 'invalid', 'Invalid table ID "sales$2026".'));

    const error = await client()
      .insertJob(plan())
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({
      status: 400,
      reason: 'invalid',
      jobId: 'bqal_sales_3f9c2a',
      message: expect.stringContaining('Invalid table ID "sales$2026".'),
    });
    expect(bigquery.requests).toHaveLength(1);
  });

  it.each<[string, Answer]>([
    ['accessDenied', apiError(403, 'accessDenied', 'Access Denied: Project billing-project')],
    ['notFound', apiError(404, 'notFound', 'Not found: Dataset data-project:raw')],
    ['quotaExceeded', apiError(403, 'quotaExceeded', 'Quota exceeded: table imports per day')],
  ])('does not retry %s', async (reason, answer) => {
    bigquery.answers.push(answer);

    await expect(client().insertJob(plan())).rejects.toMatchObject({
      name: 'PermanentError',
      reason,
    });
    expect(bigquery.requests).toHaveLength(1);
  });

  it('confirms a 409 duplicate with jobs.get and reports the existing job', async () => {
    bigquery.answers.push(
      apiError(409, 'duplicate', 'Already Exists: Job billing-project:EU.bqal_sales_3f9c2a'),
      { status: 200, body: jobResource('DONE') },
    );

    const result = await client().insertJob(plan());

    expect(result).toEqual({ outcome: 'duplicate', job: jobResource('DONE') });
    expect(bigquery.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /bigquery/v2/projects/billing-project/jobs',
      'GET /bigquery/v2/projects/billing-project/jobs/bqal_sales_3f9c2a?location=EU',
    ]);
    expect(bigquery.requests[1]?.headers.authorization).toBe('Bearer t');
  });

  it('refuses a job that exists under the planned id but is another load (a decoy)', async () => {
    const decoy = {
      load: {
        destinationTable: { projectId: 'evil', datasetId: 'x', tableId: 'y' },
        sourceUris: ['gs://elsewhere/decoy.csv'],
      },
      labels: { route: 'sales' },
    };
    bigquery.answers.push(apiError(409, 'duplicate', 'Already Exists'), {
      status: 200,
      body: jobResource('DONE', decoy),
    });

    const failure = await client()
      .insertJob(plan())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PermanentError);
    expect(failure).toMatchObject({ reason: 'foreignJob', jobId: 'bqal_sales_3f9c2a' });
    expect(String((failure as Error).message)).toContain('loads into evil.x.y');
  });

  it('reads a 409 whose job jobs.get cannot find as retryable, never as a refusal (no claim is released)', async () => {
    bigquery.answers.push(
      apiError(409, 'duplicate', 'Already Exists'),
      apiError(404, 'notFound', 'Not found: Job'),
    );

    const failure = await client()
      .insertJob(plan())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RetryableError);
    expect(failure).toMatchObject({ reason: 'duplicateNotVisible', jobId: 'bqal_sales_3f9c2a' });
  });

  it('refuses a 409 whose job is in another location than planned (not this load, never retried forever)', async () => {
    bigquery.answers.push(
      apiError(409, 'duplicate', 'Already Exists: Job billing-project:US.bqal_sales_3f9c2a'),
      apiError(404, 'notFound', 'Not found: Job billing-project:EU.bqal_sales_3f9c2a'),
    );

    const failure = await client()
      .insertJob(plan())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PermanentError);
    expect(failure).toMatchObject({ reason: 'foreignJob', status: 409 });
    expect(String((failure as Error).message)).toContain('already exists in US, not in EU');
  });

  it('retries jobs.get after a 409 with the same policy', async () => {
    bigquery.answers.push(
      apiError(409, 'duplicate', 'Already Exists'),
      apiError(503, 'backendError', 'Backend error'),
      { status: 200, body: jobResource('DONE') },
    );

    await expect(client().insertJob(plan())).resolves.toMatchObject({ outcome: 'duplicate' });
    expect(bigquery.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
  });

  it('throws a RetryableError once the retry budget is spent', async () => {
    const failing = createBigQueryClient({
      edge: createGoogleEdge({
        env: { BIGQUERY_EMULATOR_HOST: bigquery.host },
        auth: new GoogleAuth(),
      }),
      retry: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 4 },
    });
    bigquery.answers.push(...Array<Answer>(5).fill(apiError(503, 'backendError', 'Backend error')));

    const error = await failing.insertJob(plan()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({
      status: 503,
      reason: 'backendError',
      jobId: 'bqal_sales_3f9c2a',
    });
    expect(bigquery.requests).toHaveLength(4);
  });

  it('reports an unreachable BigQuery endpoint as retryable', async () => {
    const host = bigquery.host;
    await bigquery.close();
    bigquery = await startFakeServer(); // afterEach closes this one
    const unreachable = createBigQueryClient({
      edge: createGoogleEdge({ env: { BIGQUERY_EMULATOR_HOST: host }, auth: new GoogleAuth() }),
      retry: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 },
    });

    await expect(unreachable.insertJob(plan())).rejects.toMatchObject({
      name: 'RetryableError',
      reason: 'ECONNREFUSED',
    });
  });

  it('retries a request that outlives fetchTimeoutMs', async () => {
    const patient = createBigQueryClient({
      edge: createGoogleEdge({
        env: { BIGQUERY_EMULATOR_HOST: bigquery.host },
        auth: new GoogleAuth(),
      }),
      retry: TINY_RETRY,
      fetchTimeoutMs: 100,
    });
    bigquery.answers.push(
      { status: 200, body: jobResource('PENDING'), delayMs: 1_000 },
      { status: 200, body: jobResource('PENDING') },
    );

    await expect(patient.insertJob(plan())).resolves.toMatchObject({ outcome: 'submitted' });
    expect(inserts()).toHaveLength(2);
  });

  it("clips a request's timeout to what remains of its event's budget, and does not retry after it", async () => {
    bigquery.answers.push({
      status: 200,
      body: jobResource('PENDING'),
      delayMs: MIN_ATTEMPT_TIMEOUT_MS + 5_000,
    });
    const patient = createBigQueryClient({
      edge: createGoogleEdge({ env: { BIGQUERY_EMULATOR_HOST: bigquery.host } }),
      retry: TINY_RETRY,
      fetchTimeoutMs: 60_000,
    });

    const error = await withEventBudget(0, () => patient.insertJob(plan())).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ reason: 'ETIMEDOUT', jobId: 'bqal_sales_3f9c2a' });
    expect(inserts()).toHaveLength(1);
  });

  it('reads jobs.get with the location in the query', async () => {
    bigquery.answers.push({ status: 200, body: jobResource('DONE') });

    const job = await client().getJob('billing-project', 'job/with odd?chars', 'asia-northeast1');

    expect(job).toEqual(jobResource('DONE'));
    expect(bigquery.requests[0]?.url).toBe(
      '/bigquery/v2/projects/billing-project/jobs/job%2Fwith%20odd%3Fchars?location=asia-northeast1',
    );
  });
});
