import { basenameOf, inferFormat } from '../../../src/routing/format';

describe('inferFormat', () => {
  it.each([
    ['a.csv', 'CSV', {}],
    ['dir/a.CSV.gz', 'CSV', {}],
    ['a.tsv', 'CSV', { fieldDelimiter: '\t' }],
    ['a.tsv.gz', 'CSV', { fieldDelimiter: '\t' }],
    ['a.json', 'NEWLINE_DELIMITED_JSON', {}],
    ['a.jsonl', 'NEWLINE_DELIMITED_JSON', {}],
    ['a.ndjson.gz', 'NEWLINE_DELIMITED_JSON', {}],
    ['a.avro', 'AVRO', {}],
    ['a.parquet', 'PARQUET', {}],
    ['x/y.orc', 'ORC', {}],
  ])('reads %s as %s', (name, sourceFormat, options) => {
    expect(inferFormat(name)).toEqual({ sourceFormat, options });
  });

  it.each(['a.txt', 'a', 'a.gz', 'csv.d/file', '.csv', 'a.parquet.gz', 'a.avro.gz', 'a.orc.gz'])(
    'knows nothing about %s',
    (name) => {
      expect(inferFormat(name)).toBeUndefined();
    },
  );
});

describe('basenameOf', () => {
  it.each([
    ['a/b/sales.csv', 'sales'],
    ['a/b/sales.csv.gz', 'sales'],
    ['sales.2026.csv', 'sales.2026'],
    ['noext', 'noext'],
  ])('of %s is %s', (name, expected) => {
    expect(basenameOf(name)).toBe(expected);
  });
});
