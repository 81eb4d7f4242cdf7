import { keyFigures } from '../../../bench/report';
import { judgeTargets, type KeyFigures, verdict } from '../../../bench/targets';

const figures = (over: Partial<KeyFigures> = {}): KeyFigures => ({
  coldStartMs: 400,
  eventsPerSecondC80: 1000,
  cpuMsPerEventC80: 2,
  peakRssMiB: 200,
  deployedBytes: 30e6,
  ...over,
});

describe('judgeTargets', () => {
  const baseline = figures();
  const empty = figures({ coldStartMs: 200, deployedBytes: 10e6 });
  const sweep = { objects: 1_000_000, wallSeconds: 12, peakRssMiB: 150 };

  it('meets every target at its limit', () => {
    const loader = figures({
      coldStartMs: 300, // ≤ 0.8 × 400 and ≤ 1.5 × 200
      eventsPerSecondC80: 2000,
      cpuMsPerEventC80: 1,
      peakRssMiB: 140,
      deployedBytes: 12e6,
    });
    const rows = judgeTargets(loader, baseline, empty, {
      ...sweep,
      wallSeconds: 20,
      peakRssMiB: 200,
    });
    expect(rows.map((r) => r.met)).toEqual(Array(8).fill(true));
    expect(rows[0]?.figure).toBe('2.00× baseline');
    expect(rows[5]?.figure).toBe('empty + 2.0 MB');
  });

  it('misses each target just past its limit', () => {
    const loader = figures({
      coldStartMs: 321,
      eventsPerSecondC80: 1999,
      cpuMsPerEventC80: 1.01,
      peakRssMiB: 141,
      deployedBytes: 12.1e6,
    });
    const rows = judgeTargets(loader, baseline, empty, {
      ...sweep,
      wallSeconds: 20.1,
      peakRssMiB: 201,
    });
    expect(rows.map((r) => r.met)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('judges cold start against the empty handler separately from the baseline', () => {
    const rows = judgeTargets(figures({ coldStartMs: 310 }), baseline, empty, sweep);
    expect(rows.filter((r) => r.target.startsWith('cold start')).map((r) => r.met)).toEqual([
      true,
      false,
    ]);
  });

  it('says "not measured" when a figure is missing, never "met"', () => {
    const rows = judgeTargets(figures(), baseline, empty, undefined);
    expect(rows.slice(-2).map((r) => verdict(r.met))).toEqual(['not measured', 'not measured']);
    expect(verdict(true)).toBe('met');
    expect(verdict(false)).toBe('missed');
  });
});

describe('keyFigures', () => {
  it('takes the concurrency-80 run and NaN for a handler that was not measured', () => {
    const summary = (median: number) => ({ median, min: median, max: median, n: 1 });
    const run = (concurrency: number, eps: number) => ({
      handler: 'h',
      concurrency,
      eventsPerSecond: summary(eps),
      cpuMsPerEvent: summary(eps / 1000),
      events: 1,
      failed: 0,
    });
    const figures = keyFigures({
      id: 'h',
      name: 'h',
      cold: { handler: 'h', readyMs: summary(1), firstAckMs: summary(250) },
      cost: {
        handler: 'h',
        runs: [run(1, 500), run(80, 900)],
        peakRssMiB: 120,
        insertsPerEvent: 1,
        storageRequestsPerEvent: 1,
      },
      size: { packages: 3, bytes: 5e6 },
    });
    expect(figures).toEqual({
      coldStartMs: 250,
      eventsPerSecondC80: 900,
      cpuMsPerEventC80: 0.9,
      peakRssMiB: 120,
      deployedBytes: 5e6,
    });
    expect(Object.values(keyFigures(undefined)).every(Number.isNaN)).toBe(true);
  });
});
