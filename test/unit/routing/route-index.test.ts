import { RouteIndex, regexLiteralPrefix } from '../../../src/routing/route-index';

describe('RouteIndex', () => {
  const index = new RouteIndex([
    { index: 0, bucketPattern: 'land-*', namePrefix: '' },
    { index: 1, bucketPattern: 'land-prod', namePrefix: 'sales/' },
    { index: 2, bucketPattern: 'land-prod', namePrefix: 'sales/eu/' },
    { index: 3, bucketPattern: 'land-prod', namePrefix: 'events/' },
    { index: 4, bucketPattern: 'land-*', namePrefix: 'sales/' },
    { index: 5, bucketPattern: 'other', namePrefix: '' },
    { index: 6, bucketPattern: 'land-prod', namePrefix: 'sales/eu/a.csv' },
  ]);

  it.each([
    ['land-prod', 'sales/eu/a.csv', [0, 1, 2, 4, 6]],
    ['land-prod', 'sales/us/a.csv', [0, 1, 4]],
    ['land-prod', 'events/x', [0, 3]],
    ['land-test', 'sales/x', [0, 4]],
    ['other', 'anything', [5]],
    ['unknown', 'sales/x', []],
  ])('offers gs://%s/%s only the routes %j, in order', (bucket, name, expected) => {
    expect(index.candidates(bucket, name)).toEqual(expected);
  });
});

describe('regexLiteralPrefix', () => {
  it.each([
    ['^typed/(?<kind>[a-z]+)/', 'typed/'],
    ['^a\\/b\\.c', 'a/b.c'],
    ['^abc?', 'ab'],
    ['^ab*', 'a'],
    ['^ab{2}', 'a'],
    ['^a\\.?b', 'a'],
    ['^\\d{4}/', ''],
    ['^a.b', 'a'],
    ['typed/', ''],
    ['^a|^b', ''],
    ['^[ab]c', ''],
  ])('of %s is %j', (regex, prefix) => {
    expect(regexLiteralPrefix(regex)).toBe(prefix);
  });
});
