import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { matchRoute } from '../../../src/routing/match';
import { objectRef, rulesFrom } from './rules';

const route = (regex: string) =>
  `routes:\n  - name: r\n    match: { bucket: landing, regex: '${regex}' }\n    destination: raw.{table}\n`;

describe('regex routes', () => {
  it('match with named groups as captures, unanchored unless anchored', async () => {
    const rules = await rulesFrom(route('^exports/(?<table>[a-z_]+)\\.parquet$'));
    expect(matchRoute(rules, objectRef({ name: 'exports/sales_eu.parquet' }))?.captures).toEqual({
      table: 'sales_eu',
    });
    expect(matchRoute(rules, objectRef({ name: 'x/exports/sales.parquet' }))).toBeUndefined();
    const loose = await rulesFrom(route('(?<table>[a-z]+)\\.csv'));
    expect(matchRoute(loose, objectRef({ name: 'in/ab.csv.gz' }))?.captures).toEqual({
      table: 'ab',
    });
  });

  it.each([
    ['(?=x)(?<table>a)', /invalid or unsupported Perl syntax.*linear-time engine/],
    ['(?<table>a)\\1', /invalid escape sequence.*linear-time engine/],
  ])('refuse %s (it cannot run in linear time)', async (regex, reason) => {
    await expect(rulesFrom(route(regex))).rejects.toThrow(reason);
  });

  it('match or fail on 1,024-byte names built to make a RegExp backtrack', async () => {
    // Killed after 30 s: JavaScript's RegExp takes longer than the age of the universe here.
    // How long each match takes is measured by `npm run bench` (target: under 1 ms).
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'pathological-regex.ts')],
      { timeout: 30_000 },
    );
    expect(JSON.parse(stdout)).toEqual({
      '^(a+)+$': [false, false, false],
      '^(a|a)*$': [false, false, false],
      '^(?<x>.*)a.*a.*a.*a.*a.*a.*a.*\\.csv$': [false, false, false],
      '^(\\w+\\s?)*$': [true, false, false],
      '^exports/(?<a>.*)-(?<b>.*)-(?<c>.*)-(?<d>.*)\\.csv$': [false, false, false],
    });
  }, 35_000);
});
