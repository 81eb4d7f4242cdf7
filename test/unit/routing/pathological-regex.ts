/**
 * Run by regex-routes.test.ts in a child process (a backtracking engine would never return
 * here, and a synchronous loop cannot be interrupted in the test's own process): regex routes
 * built to backtrack, against 1,024-byte names; prints each route's mean ms per match.
 */
import { matchRoute } from '../../../src/routing/match';
import { objectRef, rulesFrom } from './rules';

const REGEXES = [
  '^(a+)+$',
  '^(a|a)*$',
  '^(?<x>.*)a.*a.*a.*a.*a.*a.*a.*\\.csv$',
  '^(\\w+\\s?)*$',
  '^exports/(?<a>.*)-(?<b>.*)-(?<c>.*)-(?<d>.*)\\.csv$',
];
const NAMES = [`${'a'.repeat(1023)}b`, `exports/${'-'.repeat(1016)}`, `${'a '.repeat(511)}!!`];

async function main() {
  const routes = REGEXES.map(
    (regex, i) =>
      `  - name: r${i}\n    match: { bucket: landing, regex: '${regex}' }\n    destination: raw.t${i}\n`,
  );
  const rules = await rulesFrom(`routes:\n${routes.join('')}`);
  const results: Record<string, number> = {};
  for (const route of rules.routes) {
    const single = { ...rules, routes: [route], index: { candidates: () => [0] } };
    const run = () => {
      for (const name of NAMES) matchRoute(single as never, objectRef({ name }));
    };
    for (let i = 0; i < 10; i += 1) run();
    const start = performance.now();
    for (let i = 0; i < 50; i += 1) run();
    results[REGEXES[route.index] ?? ''] = (performance.now() - start) / 50 / NAMES.length;
  }
  process.stdout.write(JSON.stringify(results));
}

void main();
