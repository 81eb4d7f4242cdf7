import {
  FOLDER_URI,
  gsUri,
  gsUriAt,
  isGsUri,
  OBJECT_URI,
  PREFIX_URI,
  parseGsPrefix,
  parseGsUri,
} from '../../../src/core/gs-uri';

describe('parseGsUri', () => {
  it.each([
    ['gs://b/sales/a.csv', { bucket: 'b', name: 'sales/a.csv' }],
    ['gs://b/a b/#1', { bucket: 'b', name: 'a b/#1' }],
    ['gs://b/', undefined],
    ['gs:///name', undefined],
    ['gs://b', undefined],
    ['s3://b/x', undefined],
    ['gs://b/line\nbreak', undefined],
  ])('%j → %j', (uri, expected) => {
    expect(parseGsUri(uri)).toEqual(expected);
  });

  it('reads back what gsUri writes', () => {
    const object = { bucket: 'landing', name: 'a/b/c.csv' };
    expect(parseGsUri(gsUri(object))).toEqual(object);
  });
});

describe('parseGsPrefix', () => {
  it.each([
    ['gs://b/', { bucket: 'b', prefix: '' }],
    ['gs://b/p/', { bucket: 'b', prefix: 'p/' }],
    ['gs://b/p', { bucket: 'b', prefix: 'p' }],
    ['gs://b', undefined],
    ['b/p/', undefined],
  ])('%j → %j', (uri, expected) => {
    expect(parseGsPrefix(uri)).toEqual(expected);
  });
});

describe('formatting', () => {
  it('writes an object, and one generation of it', () => {
    expect(gsUri({ bucket: 'b', name: 'x.csv' })).toBe('gs://b/x.csv');
    expect(gsUriAt({ bucket: 'b', name: 'x.csv', generation: '7' })).toBe('gs://b/x.csv#7');
    expect(gsUriAt({ bucket: 'b', name: 'x.csv' })).toBe('gs://b/x.csv');
    expect(isGsUri('gs://b/x')).toBe(true);
    expect(isGsUri('./rules.yaml')).toBe(false);
  });
});

describe('the URI rules schemas check with', () => {
  it.each([
    [OBJECT_URI, 'gs://landing-1/a.csv', true],
    [OBJECT_URI, 'gs://landing-1/', false],
    [OBJECT_URI, 'gs://Landing/a.csv', false],
    [OBJECT_URI, 'gs://landing-/a.csv', false],
    [PREFIX_URI, 'gs://landing/', true],
    [PREFIX_URI, 'gs://landing/p', true],
    [FOLDER_URI, 'gs://archive/', true],
    [FOLDER_URI, 'gs://archive/done/', true],
    [FOLDER_URI, 'gs://archive/done', false],
    [FOLDER_URI, 'gs://archive/*/', false],
  ])('%s accepts %s: %s', (rule, uri, expected) => {
    expect(rule.test(uri)).toBe(expected);
  });
});
