import { PermanentError, RetryableError } from '../../../src/errors';
import { classifyGoogleError, type ErrorKind, errorKind } from '../../../src/gcp/errors';
import { ProxyTunnelError } from '../../../src/gcp/proxy';

const body = (reason: string, message = `${reason} happened`) => ({
  error: { code: 0, message, errors: [{ reason, message, domain: 'global' }] },
});

describe('errorKind', () => {
  it.each<[number, string | undefined, ErrorKind]>([
    [503, 'backendError', 'transient'],
    [400, 'backendError', 'transient'],
    [403, 'rateLimitExceeded', 'transient'],
    [429, undefined, 'transient'],
    [408, undefined, 'transient'],
    [500, undefined, 'transient'],
    [502, undefined, 'transient'],
    [504, undefined, 'transient'],
    [401, undefined, 'auth'],
    [401, 'authError', 'auth'],
    [409, 'duplicate', 'conflict'],
    [409, undefined, 'conflict'],
    [412, 'conditionNotMet', 'precondition'],
    [403, 'quotaExceeded', 'permanent'],
    [403, 'accessDenied', 'permanent'],
    [404, 'notFound', 'permanent'],
    [400, 'invalid', 'permanent'],
    [501, undefined, 'permanent'],
    [413, undefined, 'permanent'],
  ])('HTTP %i %s is %s', (status, reason, kind) => {
    expect(errorKind(status, reason)).toBe(kind);
  });
});

describe('classifyGoogleError', () => {
  it.each<[string, number, unknown, typeof RetryableError | typeof PermanentError]>([
    ['429 rateLimitExceeded', 429, body('rateLimitExceeded'), RetryableError],
    ['403 rateLimitExceeded', 403, body('rateLimitExceeded'), RetryableError],
    ['403 jobRateLimitExceeded', 403, body('jobRateLimitExceeded'), RetryableError],
    ['500 internalError', 500, body('internalError'), RetryableError],
    ['500 without a body', 500, undefined, RetryableError],
    ['502 badGateway', 502, body('badGateway'), RetryableError],
    ['503 backendError', 503, body('backendError'), RetryableError],
    ['503 with an HTML page', 503, '<html>Service Unavailable</html>', RetryableError],
    ['504 without a reason', 504, {}, RetryableError],
    ['400 with reason backendError', 400, body('backendError'), RetryableError],
    ['400 invalid', 400, body('invalid'), PermanentError],
    ['404 notFound', 404, body('notFound'), PermanentError],
    ['403 accessDenied', 403, body('accessDenied'), PermanentError],
    ['403 billingNotEnabled', 403, body('billingNotEnabled'), PermanentError],
    ['403 blocked', 403, body('blocked'), PermanentError],
    ['403 quotaExceeded (daily)', 403, body('quotaExceeded'), PermanentError],
    ['409 duplicate', 409, body('duplicate'), PermanentError],
    ['412 conditionNotMet (Cloud Storage)', 412, body('conditionNotMet'), PermanentError],
    ['401 without a reason (an expired token clears on retry)', 401, {}, RetryableError],
    ['413 without a body', 413, undefined, PermanentError],
    ['501 not implemented', 501, {}, PermanentError],
    [
      '503 from Pub/Sub',
      503,
      { error: { code: 503, message: 'unavailable', status: 'UNAVAILABLE' } },
      RetryableError,
    ],
    [
      '404 from Pub/Sub',
      404,
      { error: { code: 404, message: 'Topic not found', status: 'NOT_FOUND' } },
      PermanentError,
    ],
  ])('classifies HTTP %s', (_, status, answer, expected) => {
    const error = classifyGoogleError(status, answer);

    expect(error).toBeInstanceOf(expected);
    expect(error?.status).toBe(status);
  });

  it('keeps the reason and message of the API in the error', () => {
    const error = classifyGoogleError(400, body('invalid', 'Invalid table ID "a b c".'));

    expect(error).toMatchObject({
      name: 'PermanentError',
      reason: 'invalid',
      message: 'HTTP 400 invalid: Invalid table ID "a b c".',
    });
  });

  it("takes Pub/Sub's status name as the reason", () => {
    const error = classifyGoogleError(404, {
      error: { code: 404, message: 'Resource not found', status: 'NOT_FOUND' },
    });
    expect(error).toMatchObject({
      reason: 'NOT_FOUND',
      message: 'HTTP 404 NOT_FOUND: Resource not found',
    });
  });

  it.each([
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['ECONNREFUSED', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
    ['ETIMEDOUT', Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })],
    ['EAI_AGAIN', Object.assign(new Error('getaddrinfo'), { code: 'EAI_AGAIN' })],
    ['socket hang up', new Error('socket hang up')],
    [
      'timeout',
      new Error('The operation was aborted.', {
        cause: Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }),
      }),
    ],
    [
      'UND_ERR_SOCKET',
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }),
      }),
    ],
    [
      'ECONNRESET',
      new Error('request to http://x failed', {
        cause: new Error('wrapped', {
          cause: Object.assign(new Error('r'), { code: 'ECONNRESET' }),
        }),
      }),
    ],
  ])('retries the network error %s, found anywhere in the cause chain', (code, cause) => {
    const error = classifyGoogleError(undefined, undefined, cause);

    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ reason: code, cause });
  });

  it('leaves an unknown failure without an answer unclassified', () => {
    expect(classifyGoogleError(undefined, undefined, new TypeError('x is undefined'))).toBe(
      undefined,
    );
  });

  it.each([502, 503, 504])(
    'retries a tunnel the egress proxy could not open (%i): no answer came from Google',
    (status) => {
      const cause = new ProxyTunnelError('http://proxy:3128', 'bigquery.s3nsapis.fr:443', status);
      const error = classifyGoogleError(undefined, undefined, cause);

      expect(error).toBeInstanceOf(RetryableError);
      expect(error).toMatchObject({ reason: 'EPROXYTUNNEL', cause, status: undefined });
      expect(error?.message).toBe(
        `proxy http://proxy:3128 answered CONNECT bigquery.s3nsapis.fr:443 with ${status}`,
      );
    },
  );

  it.each([403, 407])(
    'leaves a tunnel the proxy refuses (%i) unclassified, never a PermanentError that would acknowledge',
    (status) => {
      const cause = new ProxyTunnelError('http://proxy:3128', 'bigquery.s3nsapis.fr:443', status);
      expect(classifyGoogleError(undefined, undefined, cause)).toBe(undefined);
    },
  );
});
