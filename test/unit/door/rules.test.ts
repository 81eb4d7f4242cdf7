import { headProblem, judgeBody, MAX_BODY_BYTES } from '../../../src/door/rules';

const JSON_TYPE = { 'content-type': 'application/json' };
const BINARY = {
  'content-type': 'text/plain',
  'ce-specversion': '1.0',
  'ce-type': 'google.cloud.storage.object.v1.finalized',
  'ce-source': '//storage.googleapis.com/projects/_/buckets/b',
  'ce-id': '1',
};
const body = (text: string) => Buffer.from(text, 'utf8');

describe('headProblem', () => {
  it.each([
    ['GET', {}, 405],
    ['HEAD', {}, 405],
    ['PUT', JSON_TYPE, 405],
    ['POST', { ...JSON_TYPE, 'content-encoding': 'gzip' }, 415],
    ['POST', { ...JSON_TYPE, 'content-length': String(MAX_BODY_BYTES + 1) }, 413],
  ])('%s %j → %d', (method, headers, status) => {
    expect(headProblem(method, headers)?.status).toBe(status);
  });

  it('lets a POST within the limit through', () => {
    expect(headProblem('POST', { ...JSON_TYPE, 'content-length': '100' })).toBeUndefined();
    expect(headProblem('POST', { 'content-encoding': 'identity' })).toBeUndefined();
  });
});

describe('judgeBody', () => {
  it.each([
    [{}, '', 400, /^empty body/],
    [JSON_TYPE, '', 400, /^empty body/],
    [{ 'content-type': 'text/plain' }, 'x', 415, /^content type text\/plain is not JSON$/],
    [{}, 'x', 415, /^content type none is not JSON$/],
    [{ 'content-type': 'application/json; charset=utf-16' }, '{}', 415, /charset utf-16/],
    [JSON_TYPE, '{"a":', 400, /^body is not JSON: /],
    [JSON_TYPE, '[1]', 400, /not an object/],
    [JSON_TYPE, '42', 400, /not an object/],
    [JSON_TYPE, `${'{"a":'.repeat(65)}1${'}'.repeat(65)}`, 400, /deeper than 64/],
    [JSON_TYPE, '{"context":5,"data":{}}', 400, /^not a CloudEvent: its context is not an object$/],
    [JSON_TYPE, '{"context":null,"data":{}}', 400, /^not a CloudEvent: its context/],
  ])('%j %j → %d', (headers, text, status, reason) => {
    const verdict = judgeBody(headers, body(text));
    expect(verdict).toEqual({ status, reason: expect.stringMatching(reason) });
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(judgeBody(JSON_TYPE, Buffer.from([0x22, 0xff, 0x22]))).toEqual({
      status: 400,
      reason: 'body is not UTF-8',
    });
  });

  it('parses JSON events, structured or binary, as the framework would', () => {
    expect(judgeBody(JSON_TYPE, body('{"a":1}'))).toEqual({ body: { a: 1 } });
    const structured = { 'content-type': 'application/cloudevents+json; charset=UTF-8' };
    expect(judgeBody(structured, body('{"id":"1"}'))).toEqual({ body: { id: '1' } });
    expect(judgeBody({ ...BINARY, ...JSON_TYPE }, body('"x"'))).toEqual({ body: 'x' });
  });

  it('hands a binary CloudEvent on whatever its data, for the pipeline to refuse', () => {
    expect(judgeBody(BINARY, body('plain'))).toEqual({ body: body('plain') });
    expect(judgeBody(BINARY, Buffer.alloc(0))).toEqual({ body: undefined });
  });
});
