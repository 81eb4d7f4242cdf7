/**
 * Object names built to make pattern matchers backtrack (issue 13: 1,024-byte names against
 * many-star patterns and regex routes). Shared by the tests, which check each case matches
 * or fails correctly (a backtracking matcher would never return), and by `npm run bench`,
 * which times them against the 1 ms target.
 */
const a1024 = 'a'.repeat(1024);
const folders = `${'a/'.repeat(511)}bb`;

/** `[pattern, name, matches]` for route `match` patterns (src/core/glob.ts). */
export const GLOB_CASES: readonly (readonly [string, string, boolean])[] = [
  ['*a*a*a*a*a*a*a*a*.csv', a1024, false],
  ['*a*a*a*a*a*a*a*a*', a1024, true],
  ['{x}a{y}a{z}a*a*a*a*.csv', a1024, false],
  ['exports/*-*-*-*.csv', `exports/${'-'.repeat(1016)}`, false],
  ['**/a/**/a/**/a/**/c', folders, false],
  ['**/a/**/a/**/a/**/bb', folders, true],
];

/** Regex routes (`match: { bucket, regex }`) a backtracking engine takes forever on. */
export const REGEX_CASES: readonly string[] = [
  '^(a+)+$',
  '^(a|a)*$',
  '^(?<x>.*)a.*a.*a.*a.*a.*a.*a.*\\.csv$',
  '^(\\w+\\s?)*$',
  '^exports/(?<a>.*)-(?<b>.*)-(?<c>.*)-(?<d>.*)\\.csv$',
];

/** The names every regex case is tried against. */
export const REGEX_NAMES: readonly string[] = [
  `${'a'.repeat(1023)}b`,
  `exports/${'-'.repeat(1016)}`,
  `${'a '.repeat(511)}!!`,
];
