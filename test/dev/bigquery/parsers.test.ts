/**
 * The pure wire-format pieces: multipart/related, Content-Range, decorators, job validation.
 */

import { parseDecorator } from '../../../dev/bigquery/destination';
import { BigQueryApiError } from '../../../dev/bigquery/errors';
import { parseJob } from '../../../dev/bigquery/load-config';
import { parseMultipartRelated } from '../../../dev/bigquery/multipart';
import { scanNdjson } from '../../../dev/bigquery/ndjson';
import { partitionStart } from '../../../dev/bigquery/partition';
import { findQuotedNewline } from '../../../dev/bigquery/quoted-newlines';
import { parseContentRange } from '../../../dev/bigquery/resumable';

const validBody = (boundary: string) =>
  Buffer.from(
    `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{"a":1}\r\n` +
      `--${boundary}\r\nContent-Type: application/octet-stream\r\n\r\nx,y\n\r\n--${boundary}--`,
  );

describe('parseMultipartRelated', () => {
  it('splits the JSON part and the media bytes exactly', () => {
    const parsed = parseMultipartRelated('multipart/related; boundary="b1"', validBody('b1'));

    expect(parsed.metadata).toEqual({ a: 1 });
    expect(parsed.media.toString()).toBe('x,y\n');
    expect(parsed.mediaContentType).toBe('application/octet-stream');
  });

  it.each([
    ['no Content-Type', undefined, validBody('b1'), 'missing Content-Type'],
    ['another type', 'multipart/mixed; boundary=b1', validBody('b1'), 'multipart/related'],
    ['no boundary', 'multipart/related', validBody('b1'), 'no boundary'],
    ['a wrong boundary', 'multipart/related; boundary=b2', validBody('b1'), 'must start with'],
    [
      'a non-JSON first part',
      'multipart/related; boundary=b1',
      Buffer.from(validBody('b1').toString().replace('application/json', 'text/plain')),
      'part 1 must be application/json',
    ],
    [
      'bytes after the end',
      'multipart/related; boundary=b1',
      Buffer.concat([validBody('b1'), Buffer.from('junk')]),
      'after the closing delimiter',
    ],
  ])('refuses %s', (_case, contentType, body, message) => {
    expect(() => parseMultipartRelated(contentType, body)).toThrow(message);
  });
});

describe('parseContentRange', () => {
  it.each([
    ['bytes 0-9/100', { kind: 'chunk', first: 0, last: 9, total: 100 }],
    ['bytes 10-19/*', { kind: 'chunk', first: 10, last: 19, total: undefined }],
    ['bytes */100', { kind: 'status', total: 100 }],
    ['bytes */*', { kind: 'status', total: undefined }],
  ])('parses %s', (header, expected) => {
    expect(parseContentRange(header)).toEqual(expected);
  });

  it.each(['0-9/100', 'bytes 9-0/100', 'bytes 0-100/100', 'bytes=0-9/100'])(
    'refuses %s',
    (header) => {
      expect(() => parseContentRange(header)).toThrow(BigQueryApiError);
    },
  );
});

describe('partition decorators', () => {
  it.each([
    ['2026', 'YEAR', '2026-01-01T00:00:00.000Z'],
    ['202602', 'MONTH', '2026-02-01T00:00:00.000Z'],
    ['20260229', undefined, undefined],
    ['20280229', 'DAY', '2028-02-29T00:00:00.000Z'],
    ['2026010223', 'HOUR', '2026-01-02T23:00:00.000Z'],
    ['2026010224', undefined, undefined],
    ['202601021', undefined, undefined],
  ])('$%s → %s', (decorator, type, start) => {
    if (type === undefined) {
      expect(() => parseDecorator(decorator)).toThrow('Invalid partition decorator');
    } else {
      expect(parseDecorator(decorator)).toEqual({ type, start: new Date(start as string) });
    }
  });

  it.each([
    ['HOUR', '2026-03-04T05:00:00.000Z'],
    ['DAY', '2026-03-04T00:00:00.000Z'],
    ['MONTH', '2026-03-01T00:00:00.000Z'],
    ['YEAR', '2026-01-01T00:00:00.000Z'],
  ] as const)('puts a load time into its %s partition', (type, expected) => {
    expect(partitionStart(new Date('2026-03-04T05:06:07Z'), type).toISOString()).toBe(expected);
  });
});

describe('parseJob', () => {
  const job = (load: Record<string, unknown>, jobId = 'j') => ({
    jobReference: { jobId },
    configuration: {
      load: { destinationTable: { projectId: 'p', datasetId: 'd', tableId: 't' }, ...load },
    },
  });

  it('applies BigQuery defaults', () => {
    const spec = parseJob(job({ sourceUris: ['gs://b/o.csv'] }), 'p', false);

    expect(spec).toMatchObject({ projectId: 'p', jobId: 'j', location: 'US' });
    expect(spec.load).toMatchObject({
      format: 'CSV',
      createDisposition: 'CREATE_IF_NEEDED',
      writeDisposition: 'WRITE_APPEND',
      fieldDelimiter: ',',
      quote: '"',
      nullMarker: '',
      maxBadRecords: 0,
      encoding: 'utf-8',
    });
  });

  it.each([
    ['a bad job id', job({ sourceUris: ['gs://b/o'] }, 'a b'), 'Invalid job ID'],
    ['two wildcards', job({ sourceUris: ['gs://b/*x*'] }), 'only one *'],
    ['a wildcard in the bucket', job({ sourceUris: ['gs://b*/x'] }), 'gs://bucket/object'],
    [
      'a RECORD field',
      job({ sourceUris: ['gs://b/o'], schema: { fields: [{ name: 'r', type: 'RECORD' }] } }),
      'not supported',
    ],
    [
      'a column-partitioned table',
      job({ sourceUris: ['gs://b/o'], timePartitioning: { type: 'DAY', field: 'at' } }),
      'not supported',
    ],
    [
      'a dry run',
      { ...job({ sourceUris: ['gs://b/o'] }), configuration: { dryRun: true, load: {} } },
      'not supported',
    ],
    ['a query job', { configuration: { query: { query: 'SELECT 1' } } }, 'not supported'],
  ])('refuses %s with 400 invalid', (_case, body, message) => {
    let error: unknown;
    try {
      parseJob(body, 'p', false);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BigQueryApiError);
    expect(error).toMatchObject({ status: 400, reason: 'invalid' });
    expect((error as Error).message).toContain(message);
  });
});

describe('findQuotedNewline', () => {
  it.each([
    ['a,b\n1,2\n', '"', undefined],
    ['a,"x""y"\n1,"p\nq"\n', '"', 9],
    ["1,'p\nq'\n", "'", 0],
    ['1,"p\nq"\n', '', undefined],
  ])('finds the row of a quoted newline in %j', (text, quote, expected) => {
    expect(findQuotedNewline(Buffer.from(text), quote)).toBe(expected);
  });
});

describe('scanNdjson', () => {
  it.each([
    ['all good', '{"a":1}\n\n{"a":2}\n', ['a'], [], undefined],
    ['a malformed line', '{"a":1}\nnope\n', ['a'], [2], '{"a":1}\n'],
    ['a non-object', '[1]\n{"a":1}\n', ['a'], [1], '{"a":1}\n'],
    ['an unknown field', '{"a":1,"b":2}\n{"A":3}\n', ['a'], [1], '{"A":3}\n'],
    ['unknown fields allowed', '{"a":1,"b":2}\n', undefined, [], undefined],
  ])('handles %s', (_case, text, known, badLines, cleaned) => {
    const scan = scanNdjson(text, known);

    expect(scan.bad.map((b) => b.line)).toEqual(badLines);
    expect(scan.cleaned).toBe(cleaned);
  });
});
