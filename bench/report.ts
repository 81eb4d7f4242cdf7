/**
 * The tables `npm run bench` prints (and docs/performance.md shows), from one run's results.
 * Pure: figures in, lines out.
 */
import type { ColdStart } from './cold-start';
import type { RoutingFigures } from './routing';
import type { StagedFigures } from './staged';
import { ratio, type Summary } from './stats';
import type { SweepFigures } from './sweep-planning';
import { judgeTargets, type KeyFigures, verdict } from './targets';
import type { HandlerCost } from './throughput';

export interface HandlerResult {
  id: string;
  name: string;
  cold: ColdStart;
  cost: HandlerCost;
  /** What `npm ci --omit=dev` installs plus the handler's own code. */
  size: { packages: number; bytes: number };
}

export interface Machine {
  nproc: number;
  cpu: string;
  node: string;
  date: string;
}

export interface BenchResults {
  machine: Machine;
  runs: number;
  handlers: HandlerResult[];
  routing: RoutingFigures[];
  sweep: SweepFigures[];
  staged?: StagedFigures;
}

const MiB = 2 ** 20;
export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const spread = (s: Summary, digits = 1) =>
  `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

export function keyFigures(h: HandlerResult | undefined): KeyFigures {
  const c80 = h?.cost.runs.find((r) => r.concurrency === 80);
  return {
    coldStartMs: h?.cold.firstAckMs.median ?? Number.NaN,
    eventsPerSecondC80: c80?.eventsPerSecond.median ?? Number.NaN,
    cpuMsPerEventC80: c80?.cpuMsPerEvent.median ?? Number.NaN,
    peakRssMiB: h?.cost.peakRssMiB ?? Number.NaN,
    deployedBytes: h?.size.bytes ?? Number.NaN,
  };
}

/** "value | vs baseline | vs empty" cells for a figure taken from each handler. */
function compared(
  h: HandlerResult,
  base: HandlerResult | undefined,
  empty: HandlerResult | undefined,
  pick: (h: HandlerResult) => number,
) {
  const v = pick(h);
  return `${ratio(v, base ? pick(base) : Number.NaN)} | ${ratio(v, empty ? pick(empty) : Number.NaN)}`;
}

function perEventTable(r: BenchResults, base?: HandlerResult, empty?: HandlerResult): string[] {
  const lines = [
    '| Per event | c | events/s | vs baseline | vs empty | CPU ms/event | vs baseline | vs empty | jobs.insert, Storage requests /event |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const h of r.handlers) {
    for (const run of h.cost.runs) {
      const at = (x: HandlerResult) => x.cost.runs.find((q) => q.concurrency === run.concurrency);
      const eps = (x: HandlerResult) => at(x)?.eventsPerSecond.median ?? Number.NaN;
      const cpu = (x: HandlerResult) => at(x)?.cpuMsPerEvent.median ?? Number.NaN;
      lines.push(
        `| ${h.name} | ${run.concurrency} | ${spread(run.eventsPerSecond, 0)} | ${compared(h, base, empty, eps)} | ${spread(run.cpuMsPerEvent, 2)} | ${compared(h, base, empty, cpu)} | ${fmt(h.cost.insertsPerEvent, 2)}, ${fmt(h.cost.storageRequestsPerEvent, 2)} |`,
      );
    }
  }
  return lines;
}

function processTable(r: BenchResults, base?: HandlerResult, empty?: HandlerResult): string[] {
  const lines = [
    '| Handler | cold start ms | vs baseline | vs empty | peak RSS MiB | vs baseline | vs empty | deployed MB (packages) | vs baseline | vs empty |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const h of r.handlers) {
    const cold = (x: HandlerResult) => x.cold.firstAckMs.median;
    const rss = (x: HandlerResult) => x.cost.peakRssMiB;
    const size = (x: HandlerResult) => x.size.bytes;
    lines.push(
      `| ${h.name} | ${spread(h.cold.firstAckMs, 0)} | ${compared(h, base, empty, cold)} | ${fmt(h.cost.peakRssMiB)} | ${compared(h, base, empty, rss)} | ${fmt(h.size.bytes / 1e6)} (${h.size.packages}) | ${compared(h, base, empty, size)} |`,
    );
  }
  return lines;
}

function sweepTable(sweep: SweepFigures[]): string[] {
  const what = { sweep: 'dry-run sweep', list: 'lister alone', plan: 'sweep alone (no HTTP)' };
  const lines = [
    '| Sweep planning | objects | wall s | of which waiting for pages s | peak RSS MiB | jobs planned |',
    '|---|---|---|---|---|---|',
  ];
  for (const s of sweep) {
    lines.push(
      `| ${what[s.mode]} | ${s.objects.toLocaleString('en')} | ${fmt(s.wallMs / 1000)} | ${fmt(s.listingMs / 1000)} | ${fmt(s.peakRssBytes / MiB)} | ${s.planned} |`,
    );
  }
  return lines;
}

function routingTable(routing: RoutingFigures[]): string[] {
  const lines = [
    '| Routing | compile ms | matchRoute p50 µs | p99 µs | planObjectLoad p50 µs | p99 µs |',
    '|---|---|---|---|---|---|',
  ];
  for (const x of routing) {
    lines.push(
      `| ${x.routes} routes | ${fmt(x.compileMs, 0)} | ${fmt(x.matchP50Us, 2)} | ${fmt(x.matchP99Us, 2)} | ${fmt(x.planP50Us, 2)} | ${fmt(x.planP99Us, 2)} |`,
    );
  }
  return lines;
}

export function report(r: BenchResults): string[] {
  const byId = (id: string) => r.handlers.find((h) => h.id === id);
  const [base, empty] = [byId('baseline'), byId('empty')];
  const sweep1M = r.sweep.find((s) => s.mode === 'sweep' && s.objects === 1_000_000);
  const targets = judgeTargets(
    keyFigures(byId('markersOn')),
    keyFigures(base),
    keyFigures(empty),
    sweep1M && {
      objects: sweep1M.objects,
      wallSeconds: sweep1M.wallMs / 1000,
      peakRssMiB: sweep1M.peakRssBytes / MiB,
    },
  );
  const m = r.machine;
  const perEventRuns = r.handlers[0]?.cost.runs[0]?.eventsPerSecond.n;
  return [
    `Machine: ${m.nproc} CPUs, ${m.cpu}, Node ${m.node}, ${m.date}`,
    `Cold start: median of ${r.runs} runs (min–max); per event: median of ${perEventRuns} runs.`,
    '',
    ...processTable(r, base, empty),
    '',
    ...perEventTable(r, base, empty),
    '',
    '| Target (bq-autoloader, markers on) | this run | |',
    '|---|---|---|',
    ...targets.map((t) => `| ${t.target} | ${t.figure} | ${verdict(t.met)} |`),
    '',
    ...sweepTable(r.sweep),
    '',
    ...routingTable(r.routing),
  ];
}
