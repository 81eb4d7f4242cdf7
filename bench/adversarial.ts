/**
 * Issue 13, item 9, as figures: each name built to make a matcher backtrack (1,024 bytes,
 * bench/adversarial-cases.ts) timed against its route pattern or regex route, and the cold
 * start's rules work for 10,000 routes (compile + the shadowed-route check), and the largest
 * bodies and messages a caller can send, built to be slow to scan, decode or parse. Targets:
 * every match under 1 ms, 10,000 routes under 1 s, every body under 500 ms. Tests check the
 * outcomes; only this times them.
 */
import { parseConfig } from '../src/config/parse';
import { compileNamePattern } from '../src/core/glob';
import { jsonNestsDeeper, MAX_JSON_DEPTH } from '../src/core/json-depth';
import { judgeBody, MAX_BODY_BYTES } from '../src/door/rules';
import { messageJson } from '../src/events/pubsub-message';
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
  /** Each large body or message with its mean ms per call. */
  bodies: { what: string; msPerCase: number }[];
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
  return { cases, load10kMs, bodies: measureBodies() };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const base64 = (text: string) => Buffer.from(text).toString('base64');

/** 16 MiB bodies at the door, 10 MB messages in the pipeline: the most a caller can send. */
function measureBodies(): { what: string; msPerCase: number }[] {
  const brackets = Buffer.alloc(MAX_BODY_BYTES, 0x5b);
  const blanks = Buffer.alloc(MAX_BODY_BYTES, 0x20);
  const nested = Buffer.from(
    `${'['.repeat(MAX_JSON_DEPTH)}${'0,'.repeat(4_000_000)}0${']'.repeat(MAX_JSON_DEPTH)}`,
  );
  const escapes = Buffer.from(`{"a":"${'\\"['.repeat(4_000_000)}"}`);
  const deepMessage = { data: base64(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`) };
  const bigMessage = {
    data: base64(`{"a":"${'é'.repeat(3_000_000)}","b":[${'1,'.repeat(1_000_000)}1]}`),
  };
  const cases: [string, () => unknown][] = [
    ['depth scan, 16 MiB of `[`', () => jsonNestsDeeper(brackets, MAX_JSON_DEPTH)],
    ['depth scan, 16 MiB of blanks', () => jsonNestsDeeper(blanks, MAX_JSON_DEPTH)],
    ['door, 16 MiB of blanks (scan, decode, refuse)', () => judgeBody(JSON_TYPE, blanks)],
    ['door, 8 MB array at depth 64 (scan, decode, parse)', () => judgeBody(JSON_TYPE, nested)],
    ['door, 12 MB string of escaped quotes and `[`', () => judgeBody(JSON_TYPE, escapes)],
    ['message, 10^6 levels (base64, scan, refuse)', () => messageJson(deepMessage)],
    ['message, ~8 MB of JSON (base64, UTF-8, parse)', () => messageJson(bigMessage)],
  ];
  return cases.map(([what, run]) => ({ what, msPerCase: meanMs(run, 5) }));
}

export function adversarialTable(figures: AdversarialFigures): string[] {
  const worst = Math.max(...figures.cases.map((c) => c.msPerMatch));
  const worstBody = Math.max(...figures.bodies.map((b) => b.msPerCase));
  const lines = [
    '| Adversarial 1,024-byte names | ms per match |',
    '|---|---|',
    // A `|` in a regex would end the table cell.
    ...figures.cases.map(
      (c) => `| \`${c.what.replaceAll('|', '\\|')}\` | ${c.msPerMatch.toFixed(3)} |`,
    ),
    '',
    '| Adversarial bodies and messages | ms per case |',
    '|---|---|',
    ...figures.bodies.map((b) => `| ${b.what} | ${b.msPerCase.toFixed(1)} |`),
    '',
    '| Target (bad input) | this run | |',
    '|---|---|---|',
    `| worst adversarial match ≤ 1 ms | ${worst.toFixed(3)} ms | ${verdict(worst <= 1)} |`,
    `| 10,000 routes: parse, compile, shadowing check ≤ 1 s | ${(figures.load10kMs / 1000).toFixed(2)} s | ${verdict(figures.load10kMs <= 1000)} |`,
    `| worst adversarial body or message ≤ 500 ms | ${worstBody.toFixed(1)} ms | ${verdict(worstBody <= 500)} |`,
  ];
  return lines;
}
