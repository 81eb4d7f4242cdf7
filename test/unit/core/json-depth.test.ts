import { jsonNestsDeeper } from '../../../src/core/json-depth';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('jsonNestsDeeper', () => {
  it.each([
    ['{}', 1, false],
    ['{"a":[1,{"b":2}]}', 3, false],
    ['{"a":[1,{"b":2}]}', 2, true],
    ['"[[[[[["', 0, false],
    ['{"a":"\\"[[[["}', 1, false],
    ['["é{[", ["x"]]', 2, false],
    [`${'['.repeat(65)}${']'.repeat(65)}`, 64, true],
    [`${'['.repeat(64)}${']'.repeat(64)}`, 64, false],
  ])('%s deeper than %d: %s', (text, max, expected) => {
    expect(jsonNestsDeeper(bytes(text), max)).toBe(expected);
  });

  // How long the scan takes is timed by `npm run bench` (bench/adversarial.ts), not here.
  it('answers for 16 MiB of brackets and of blanks', () => {
    expect(jsonNestsDeeper(Buffer.alloc(16 * 2 ** 20, 0x5b), 64)).toBe(true);
    expect(jsonNestsDeeper(Buffer.alloc(16 * 2 ** 20, 0x20), 64)).toBe(false);
  });
});
