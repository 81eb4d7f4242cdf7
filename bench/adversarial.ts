/**
 * Issue 13, item 9, as figures: each name built to make a matcher backtrack (1,024 bytes,
 * bench/adversarial-cases.ts) timed against its route pattern or regex route, and the cold
 * start's rules work for 10,000 routes (compile + the shadowed-route check). Targets: every
 * match under 1 ms, 10,000 routes under 1 s. Tests check the outcomes; only this times them.
 */
import { parseConfig } from '../src/config/parse';
import { compileNamePattern } from '../src/core/glob';
import { compileRules } from '../src/routing/compile';
import { matchRoute } from '../src/routing/match';
import { findShadowedRoutes } from '../src/routing/shadowing';
import type { ObjectRef } from '../src/types';
import { GLOB_CASES, REGEX_CASES, REGEX_NAMES } from './adversarial-cases';
import { rulesText } from './routing';
import { verdict } from './targets';

export interface AdversarialFigures {
  /** Each case with its mean ms per match. */
  cases: { what: string; msPerMatch: number }[];
  /** parse + compile + findShadowedRoutes for 10,000 routes, ms. */
  load10kMs: number;
}

/** Mean ms per call after a warm-up. */
function meanMs(run: () => unknown, times = 50): number {
  for (let i = 0; i < 5; i += 1) run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < times; i += 1) run();
  return Number(process.hrtime.bigint() - start) / 1e6 / times;
}

const object = (name: string): ObjectRef => ({
  bucket: 'landing',
  name,
  generation: '1',
  size: 1,
  metadata: {},
});

export function measureAdversarial(): AdversarialFigures {
  const cases = GLOB_CASES.map(([pattern, name]) => {
    const matcher = compileNamePattern(pattern);
    return { what: `pattern ${pattern}`, msPerMatch: meanMs(() => matcher.exec(name)) };
  });
  for (const regex of REGEX_CASES) {
    const text = `routes:\n  - name: r\n    match: { bucket: landing, regex: '${regex}' }\n    destination: raw.t\n`;
    const rules = compileRules(parseConfig(text, 'bench') as never, 'bench');
    const perName = meanMs(() => {
      for (const name of REGEX_NAMES) matchRoute(rules, object(name));
    });
    cases.push({ what: `regex ${regex}`, msPerMatch: perName / REGEX_NAMES.length });
  }
  const started = process.hrtime.bigint();
  findShadowedRoutes(compileRules(parseConfig(rulesText(10_000), 'bench') as never, 'bench'));
  const load10kMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { cases, load10kMs };
}

export function adversarialTable(figures: AdversarialFigures): string[] {
  const worst = Math.max(...figures.cases.map((c) => c.msPerMatch));
  const lines = [
    '| Adversarial 1,024-byte names | ms per match |',
    '|---|---|',
    // A `|` in a regex would end the table cell.
    ...figures.cases.map(
      (c) => `| \`${c.what.replaceAll('|', '\\|')}\` | ${c.msPerMatch.toFixed(3)} |`,
    ),
    '',
    '| Target (bad input) | this run | |',
    '|---|---|---|',
    `| worst adversarial match ≤ 1 ms | ${worst.toFixed(3)} ms | ${verdict(worst <= 1)} |`,
    `| 10,000 routes: parse, compile, shadowing check ≤ 1 s | ${(figures.load10kMs / 1000).toFixed(2)} s | ${verdict(figures.load10kMs <= 1000)} |`,
  ];
  return lines;
}
