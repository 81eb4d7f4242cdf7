/**
 * The targets issue 17 sets, judged from one benchmark run's figures. Pure, so the
 * judgement is unit-tested; the figures themselves are never asserted in tests.
 */

/** The headline figures of one handler (NaN when not measured). */
export interface KeyFigures {
  coldStartMs: number;
  eventsPerSecondC80: number;
  cpuMsPerEventC80: number;
  peakRssMiB: number;
  deployedBytes: number;
}

export interface SweepKeyFigures {
  objects: number;
  wallSeconds: number;
  peakRssMiB: number;
}

export interface TargetRow {
  target: string;
  figure: string;
  /** undefined: a figure was missing, so the target could not be judged. */
  met: boolean | undefined;
}

const MB = 1e6;

function row(target: string, value: number, limit: number, atMost: boolean, figure: string) {
  const met = Number.isFinite(value) ? (atMost ? value <= limit : value >= limit) : undefined;
  return { target, figure, met };
}

const x = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–');

/** One row per target, in the order the issue lists them. */
export function judgeTargets(
  loader: KeyFigures,
  baseline: KeyFigures,
  empty: KeyFigures,
  sweep: SweepKeyFigures | undefined,
): TargetRow[] {
  const eps = loader.eventsPerSecondC80 / baseline.eventsPerSecondC80;
  const cpu = loader.cpuMsPerEventC80 / baseline.cpuMsPerEventC80;
  const coldVsBase = loader.coldStartMs / baseline.coldStartMs;
  const coldVsEmpty = loader.coldStartMs / empty.coldStartMs;
  const rss = loader.peakRssMiB / baseline.peakRssMiB;
  const overEmptyMB = (loader.deployedBytes - empty.deployedBytes) / MB;
  const wall = sweep?.wallSeconds ?? Number.NaN;
  const sweepRss = sweep?.peakRssMiB ?? Number.NaN;
  return [
    row('events/s at c=80, markers on ≥ 2× baseline', eps, 2, false, `${x(eps)} baseline`),
    row('CPU ms/event at c=80 ≤ 0.5× baseline', cpu, 0.5, true, `${x(cpu)} baseline`),
    row('cold start ≤ 0.8× baseline', coldVsBase, 0.8, true, `${x(coldVsBase)} baseline`),
    row('cold start ≤ 1.5× empty handler', coldVsEmpty, 1.5, true, `${x(coldVsEmpty)} empty`),
    row('peak RSS under load ≤ 0.7× baseline', rss, 0.7, true, `${x(rss)} baseline`),
    row(
      'deployed size ≤ empty handler + 2 MB',
      overEmptyMB,
      2,
      true,
      Number.isFinite(overEmptyMB) ? `empty + ${overEmptyMB.toFixed(1)} MB` : '–',
    ),
    row(
      `sweep planning, ${sweep?.objects.toLocaleString('en') ?? '1,000,000'} objects ≤ 20 s`,
      wall,
      20,
      true,
      Number.isFinite(wall) ? `${wall.toFixed(1)} s` : '–',
    ),
    row(
      'sweep planning peak RSS ≤ 200 MiB',
      sweepRss,
      200,
      true,
      Number.isFinite(sweepRss) ? `${sweepRss.toFixed(0)} MiB` : '–',
    ),
  ];
}

export function verdict(met: boolean | undefined): string {
  return met === undefined ? 'not measured' : met ? 'met' : 'missed';
}
