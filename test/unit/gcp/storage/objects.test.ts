import { PermanentError, RetryableError } from '../../../../src/errors';
import { createObjectReader } from '../../../../src/gcp/storage/objects';
import { type Answer, type FakeServer, startFakeServer } from '../fake-servers';
import { useMetadataEnv } from '../metadata-env';

const NAME = 'sales/emea/2026-11-27/orders 01.csv';
const ENCODED = 'sales%2Femea%2F2026-11-27%2Forders%2001.csv';
const GENERATION = '1764241810123456';
const TINY_RETRY = { initialDelayMs: 1, maxDelayMs: 2, budgetMs: 2_000 };

const resource = {
  kind: 'storage#object',
  id: `landing-prod/${NAME}/${GENERATION}`,
  name: NAME,
  bucket: 'landing-prod',
  generation: GENERATION,
  metageneration: '3',
  contentType: 'text/csv',
  storageClass: 'STANDARD',
  size: '48213',
  md5Hash: 'q5S3v0bMRXy1L4vHK4Lz8g==',
  crc32c: 'yZRlqg==',
  etag: 'CMCz7f+3jIkDEAM=',
  timeCreated: '2026-11-27T10:30:10.123Z',
  updated: '2026-11-27T10:31:00.000Z',
  metadata: { 'bq-table': 'sales_emea' },
};

const apiError = (code: number, reason: string): Answer => ({
  status: code,
  body: { error: { code, message: `${reason} happened`, errors: [{ reason, message: 'x' }] } },
});

describe('createObjectReader', () => {
  let gcs: FakeServer;
  let restoreEnv: () => void;

  beforeAll(async () => {
    gcs = await startFakeServer();
    // A closed metadata port: reading from an emulator must not need credentials.
    restoreEnv = useMetadataEnv('127.0.0.1:9', {
      STORAGE_EMULATOR_HOST: `${gcs.url}/storage/v1`,
    });
  });

  afterAll(async () => {
    restoreEnv();
    await gcs.close();
  });

  beforeEach(() => {
    gcs.requests.length = 0;
    gcs.answers.length = 0;
  });

  const reader = () => createObjectReader({ retry: TINY_RETRY });

  describe('getObject', () => {
    const pointer = { bucket: 'landing-prod', name: NAME, generation: GENERATION };

    it('reads the metadata of exactly the generation named, with the name encoded', async () => {
      gcs.answers.push({ status: 200, body: resource });

      const object = await reader().getObject(pointer);

      expect(object).toEqual({
        bucket: 'landing-prod',
        name: NAME,
        generation: GENERATION,
        metageneration: '3',
        size: 48213,
        contentType: 'text/csv',
        metadata: { 'bq-table': 'sales_emea' },
        timeCreated: '2026-11-27T10:30:10.123Z',
      });
      expect(gcs.requests).toHaveLength(1);
      const url = new URL(gcs.requests[0]?.url ?? '', gcs.url);
      expect(gcs.requests[0]?.method).toBe('GET');
      expect(url.pathname).toBe(`/storage/v1/b/landing-prod/o/${ENCODED}`);
      expect(url.searchParams.get('generation')).toBe(GENERATION);
    });

    it('sends no credentials to an emulator', async () => {
      gcs.answers.push({ status: 200, body: resource });

      await reader().getObject(pointer);

      expect(gcs.requests[0]?.headers.authorization).toBeUndefined();
    });

    it('answers undefined when that generation no longer exists', async () => {
      gcs.answers.push(apiError(404, 'notFound'));

      await expect(reader().getObject(pointer)).resolves.toBeUndefined();
      expect(gcs.requests).toHaveLength(1);
    });

    it('reads an object without custom metadata as an empty map', async () => {
      const { metadata: _, ...bare } = resource;
      gcs.answers.push({ status: 200, body: bare });

      await expect(reader().getObject(pointer)).resolves.toMatchObject({ metadata: {} });
    });

    it.each<[string, Answer]>([
      ['HTTP 503', apiError(503, 'backendError')],
      ['HTTP 429', apiError(429, 'rateLimitExceeded')],
      ['a connection reset', 'reset'],
    ])('retries after %s', async (_, failure) => {
      gcs.answers.push(failure, { status: 200, body: resource });

      await expect(reader().getObject(pointer)).resolves.toMatchObject({ generation: GENERATION });
      expect(gcs.requests).toHaveLength(2);
    });

    it('throws a RetryableError naming the object once the budget is spent', async () => {
      gcs.answers.push(...Array<Answer>(3).fill(apiError(503, 'backendError')));

      const error = await createObjectReader({ retry: { ...TINY_RETRY, maxAttempts: 3 } })
        .getObject(pointer)
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RetryableError);
      expect(error).toMatchObject({
        status: 503,
        message: expect.stringContaining(`gs://landing-prod/${NAME}#${GENERATION}`),
      });
      expect(gcs.requests).toHaveLength(3);
    });

    it('throws a PermanentError for 403 without retrying', async () => {
      gcs.answers.push(apiError(403, 'forbidden'));

      await expect(reader().getObject(pointer)).rejects.toBeInstanceOf(PermanentError);
      expect(gcs.requests).toHaveLength(1);
    });

    it('throws a PermanentError naming the field when the resource is malformed', async () => {
      gcs.answers.push({ status: 200, body: { ...resource, size: 'lots' } });

      await expect(reader().getObject(pointer)).rejects.toThrow(
        /unexpected object resource: object\.size: /,
      );
    });
  });

  describe('getLiveObject', () => {
    it('reads the current generation, without pinning one', async () => {
      gcs.answers.push({ status: 200, body: resource });

      const object = await reader().getLiveObject('landing-prod', NAME);

      expect(object).toMatchObject({ bucket: 'landing-prod', name: NAME, generation: GENERATION });
      const url = new URL(gcs.requests[0]?.url ?? '', gcs.url);
      expect(url.pathname).toBe(`/storage/v1/b/landing-prod/o/${ENCODED}`);
      expect(url.searchParams.has('generation')).toBe(false);
    });

    it('answers undefined when the object does not exist', async () => {
      gcs.answers.push(apiError(404, 'notFound'));

      await expect(reader().getLiveObject('landing-prod', NAME)).resolves.toBeUndefined();
    });
  });

  describe('readText', () => {
    it('downloads the object media', async () => {
      gcs.answers.push({ status: 200, body: 'routes: []\n' });

      const text = await reader().readText('gs://config-bucket/autoloader/rules v2.yaml');

      expect(text).toBe('routes: []\n');
      const url = new URL(gcs.requests[0]?.url ?? '', gcs.url);
      expect(url.pathname).toBe('/storage/v1/b/config-bucket/o/autoloader%2Frules%20v2.yaml');
      expect(url.searchParams.get('alt')).toBe('media');
    });

    it('throws a PermanentError when the object does not exist', async () => {
      gcs.answers.push(apiError(404, 'notFound'));

      await expect(reader().readText('gs://config-bucket/missing.yaml')).rejects.toMatchObject({
        name: 'PermanentError',
        message: expect.stringContaining('gs://config-bucket/missing.yaml: not found'),
      });
    });

    it.each(['gs://bucket-only', 'gs://bucket/', 'https://example.com/rules.yaml'])(
      'refuses %s, which names no object, without a request',
      async (uri) => {
        await expect(reader().readText(uri)).rejects.toBeInstanceOf(PermanentError);
        expect(gcs.requests).toHaveLength(0);
      },
    );
  });
});
