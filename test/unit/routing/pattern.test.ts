import { GlobSyntaxError } from '../../../src/core/glob';
import { compilePattern } from '../../../src/routing/pattern';

describe('compilePattern', () => {
  it.each([
    ['gs://b/sales/*.csv', 'b', 'sales/a.csv', {}],
    ['gs://b/sales/*.csv', 'b', 'sales/x/a.csv', null],
    ['gs://b/sales/*.csv', 'other', 'sales/a.csv', null],
    ['gs://b/sales/{region}/*.csv', 'b', 'sales/eu/a.csv', { region: 'eu' }],
    ['gs://b/sales/{region}/*.csv', 'b', 'sales/a.csv', null],
    [
      'gs://b/{yyyy}-{mm}-{dd}/x.csv',
      'b',
      '2026-01-31/x.csv',
      { yyyy: '2026', mm: '01', dd: '31' },
    ],
    ['gs://b/events/**.ndjson.gz', 'b', 'events/a/b/c.ndjson.gz', {}],
    ['gs://b/events/**.ndjson.gz', 'b', 'events/c.ndjson', null],
    ['gs://b/a/**/x.csv', 'b', 'a/x.csv', {}],
    ['gs://b/a/**/x.csv', 'b', 'a/1/2/x.csv', {}],
    ['gs://b/**', 'b', 'anything/at/all', {}],
    ['gs://landing-*/x', 'landing-prod', 'x', {}],
    ['gs://landing-*/x', 'staging', 'x', null],
    ['gs://b/a.csv', 'b', 'aXcsv', null],
    ['gs://b/(a)+[b]?.csv', 'b', '(a)+[b]?.csv', {}],
  ])('%s on gs://%s/%s captures %j', (pattern, bucket, name, expected) => {
    expect(compilePattern(pattern).match(bucket, name)).toEqual(expected);
  });

  it.each([
    ['gs://b/sales/{region}/*.csv', 'b/sales/'],
    ['gs://b/sales/2026.csv', 'b/sales/2026.csv'],
    ['gs://landing-*/events/**', 'landing-'],
    ['gs://b/**', 'b/'],
  ])('exposes the literal prefix of %s as %s', (pattern, prefix) => {
    expect(compilePattern(pattern).literalPrefix).toBe(prefix);
  });

  it('lists capture names in order', () => {
    expect(compilePattern('gs://b/{a}/{b}/*.csv').captures).toEqual(['a', 'b']);
  });

  it.each([
    ['b/no-scheme', /gs:\/\/BUCKET\/PATTERN/],
    ['gs://b/', /gs:\/\/BUCKET\/PATTERN/],
    ['gs://b/{open', /unclosed/],
    ['gs://b/close}', /unmatched/],
    ['gs://b/{a-b}', /not a capture name/],
    ['gs://b/{x}/{x}', /twice/],
    ['gs://{b}/x', /bucket/],
  ])('rejects %s', (pattern, message) => {
    expect(() => compilePattern(pattern)).toThrow(GlobSyntaxError);
    expect(() => compilePattern(pattern)).toThrow(message);
  });
});
