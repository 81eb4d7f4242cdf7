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

  it('match or fail in under 1 ms on 1,024-byte names built to make a RegExp backtrack', async () => {
    // Killed after 30 s: JavaScript's RegExp takes longer than the age of the universe here.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'pathological-regex.ts')],
      { timeout: 30_000 },
    );
    const perMatch = JSON.parse(stdout) as Record<string, number>;
    expect(Object.keys(perMatch)).toHaveLength(5);
    for (const ms of Object.values(perMatch)) expect(ms).toBeLessThan(1);
  }, 35_000);
});
