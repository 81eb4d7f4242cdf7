/**
 * Run by glob.test.ts in a child process (so a matcher that backtracks is killed by a
 * timeout instead of hanging the test run): matches names built to make a backtracking
 * RegExp take exponential time, and prints the results as JSON.
 */
import { compileGlob, compileNamePattern } from '../../../src/core/glob';

const a4096 = 'a'.repeat(4096);
const folders = `${'a/'.repeat(2048)}b`;

const results = {
  stars: compileNamePattern('*a*a*a*a*a*a*.csv').exec(a4096),
  captures: compileNamePattern('{x}a{y}a{z}a*a*.csv').exec(a4096),
  starsMatching: compileNamePattern('*a*a*a*a*a*a*').exec(a4096),
  folders: compileNamePattern('**/a/**/a/**/a/**/c').exec(folders),
  foldersMatching: compileNamePattern('**/a/**/a/**/a/**/b').exec(folders),
  bucket: compileGlob('*a*a*a*a*a*a*b').test(a4096),
  topic: compileGlob('projects/*a*a*a*a*a*/topics/x', { stopAt: '/' }).test(`projects/${a4096}`),
};
process.stdout.write(JSON.stringify(results));
