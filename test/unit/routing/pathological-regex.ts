/**
 * Run by regex-routes.test.ts in a child process (a backtracking engine would never return
 * here, and a synchronous loop cannot be interrupted in the test's own process): regex routes
 * built to backtrack, against 1,024-byte names; prints which names each route matched.
 */
import { REGEX_CASES, REGEX_NAMES } from '../../../bench/adversarial-cases';
import { matchRoute } from '../../../src/routing/match';
import { objectRef, rulesFrom } from './rules';

async function main() {
  const routes = REGEX_CASES.map(
    (regex, i) =>
      `  - name: r${i}\n    match: { bucket: landing, regex: '${regex}' }\n    destination: raw.t${i}\n`,
  );
  const rules = await rulesFrom(`routes:\n${routes.join('')}`);
  const results: Record<string, boolean[]> = {};
  for (const route of rules.routes) {
    const single = { ...rules, routes: [route], index: { candidates: () => [0] } };
    results[REGEX_CASES[route.index] ?? ''] = REGEX_NAMES.map(
      (name) => matchRoute(single as never, objectRef({ name })) !== undefined,
    );
  }
  process.stdout.write(JSON.stringify(results));
}

void main();
