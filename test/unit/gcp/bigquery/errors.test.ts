import { PermanentError, RetryableError } from '../../../../src/errors';
import { classifyBigQueryError } from '../../../../src/gcp/bigquery/errors';

const body = (reason: string, message = `${reason} happened`) => ({
  error: { code: 0, message, errors: [{ reason, message, domain: 'global' }] },
});

describe('classifyBigQueryError', () => {
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
    ['401 without a reason (an expired token clears on retry)', 401, {}, RetryableError],
    ['413 without a body', 413, undefined, PermanentError],
    ['501 not implemented', 501, {}, PermanentError],
  ])('classifies HTTP %s', (_, status, answer, expected) => {
    const error = classifyBigQueryError(status, answer);

    expect(error).toBeInstanceOf(expected);
    expect(error?.status).toBe(status);
  });

  it('keeps the reason and message of BigQuery in the error', () => {
    const error = classifyBigQueryError(400, body('invalid', 'Invalid table ID "a b c".'));

    expect(error).toMatchObject({
      name: 'PermanentError',
      reason: 'invalid',
      message: 'HTTP 400 invalid: Invalid table ID "a b c".',
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
    const error = classifyBigQueryError(undefined, undefined, cause);

    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ reason: code, cause });
  });

  it('leaves an unknown failure without an answer unclassified', () => {
    expect(classifyBigQueryError(undefined, undefined, new TypeError('x is undefined'))).toBe(
      undefined,
    );
  });
});
