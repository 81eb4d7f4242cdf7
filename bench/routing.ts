/**
 * Case 4, routing at scale: time per `matchRoute` and per `planObjectLoad` with 10, 1,000
 * and 10,000 routes. Each call is timed on its own with `process.hrtime.bigint()` after a
 * warm-up, so p99 shows the slow calls and not an average. The objects hit routes spread over
 * the whole file (first match wins, so late routes are the costly ones), plus some misses.
 */
import { parseConfig } from '../src/config/parse';
import { resolveSchemaFiles } from '../src/config/resolve-schemas';
import { type CompiledRules, compileRules } from '../src/routing/compile';
import { matchRoute } from '../src/routing/match';
import { planObjectLoad } from '../src/routing/plan';
import type { ObjectRef } from '../src/types';
import { percentile } from './stats';

export interface RoutingFigures {
  routes: number;
  compileMs: number;
  matchP50Us: number;
  matchP99Us: number;
  planP50Us: number;
  planP99Us: number;
}

/** N routes over 10 buckets, each with its own folder, a capture and a wildcard. */
export function rulesText(routes: number): string {
  const lines = ['routes:'];
  for (let i = 0; i < routes; i++) {
    lines.push(
      `  - name: feed-${i}`,
      `    match: gs://landing-${i % 10}/feed-${i}/{region}/*.csv`,
      `    destination: raw.feed_${i}_{region}`,
      '    schema: autodetect',
    );
  }
  return `${lines.join('\n')}\n`;
}

function objectFor(i: number, routes: number): ObjectRef {
  // Every 10th object matches no route (a miss walks every candidate).
  const route = i % 10 === 9 ? routes + i : (i * 7919) % routes;
  return {
    bucket: `landing-${route % 10}`,
    name: `feed-${route}/eu/part-${i}.csv`,
    generation: String(1_700_000_000_000_000 + i),
    size: 1024,
    metadata: {},
  };
}

function timeEach(samples: number, fn: (i: number) => unknown): number[] {
  const out = new Array<number>(samples);
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    fn(i);
    out[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  return out.sort((a, b) => a - b);
}

export async function measureRouting(routes: number, samples: number): Promise<RoutingFigures> {
  const started = process.hrtime.bigint();
  // The generated rules name no schema files, so nothing is ever read.
  const config = await resolveSchemaFiles(parseConfig(rulesText(routes), 'bench'), 'bench', () =>
    Promise.reject(new Error('no schema files in benchmark rules')),
  );
  const rules: CompiledRules = compileRules(config, 'bench');
  const compileMs = Number(process.hrtime.bigint() - started) / 1e6;
  const objects = Array.from({ length: 1000 }, (_, i) => objectFor(i, routes));
  const ctx = { runtimeProject: 'bench-project' };
  const pick = (i: number) => objects[i % objects.length] as ObjectRef;
  // Warm-up: let the JIT settle before anything is recorded.
  for (let i = 0; i < 20_000; i++) {
    matchRoute(rules, pick(i));
    planObjectLoad(rules, pick(i), ctx);
  }
  const match = timeEach(samples, (i) => matchRoute(rules, pick(i)));
  const plan = timeEach(samples, (i) => planObjectLoad(rules, pick(i), ctx));
  return {
    routes,
    compileMs,
    matchP50Us: percentile(match, 50),
    matchP99Us: percentile(match, 99),
    planP50Us: percentile(plan, 50),
    planP99Us: percentile(plan, 99),
  };
}
