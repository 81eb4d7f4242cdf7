import { ConfigError } from '../../../src/config/errors';
import { parseConfig } from '../../../src/config/parse';
import { listTargets } from '../../../src/routing/list-targets';
import { jobsPerRun, quotaTable, RunBudget } from '../../../src/sweep/budget';
import { rulesFrom } from '../routing/rules';

describe('the per-run job budget', () => {
  it.each([
    [1000, 96, 10],
    [1500, 1440, 1],
    [1400, 24, 58],
    [10, 96, 1],
  ])(
    'is %i jobs/day over %i sweeps/day = %i per run (at least one)',
    (jobsPerDay, sweepsPerDay, expected) => {
      expect(jobsPerRun({ jobsPerDay, sweepsPerDay })).toBe(expected);
    },
  );

  it('is shared by the partitions of one table', () => {
    const budget = new RunBudget();
    const a = quotaTable({ projectId: 'p', datasetId: 'raw', tableId: 'events$20260101' });
    const b = quotaTable({ projectId: 'p', datasetId: 'raw', tableId: 'events$20260102' });
    expect(a).toBe(b);
    expect([budget.take(a, 2), budget.take(b, 2), budget.take(a, 2)]).toEqual([true, true, false]);
    expect(budget.take('p.raw.other', 2)).toBe(true);
  });
});

describe('batch route settings', () => {
  const route = (extra: string) =>
    `routes:\n  - name: r\n    match: gs://b/x/*.csv\n    destination: raw.t\n${extra}`;
  const issues = (text: string) => {
    try {
      parseConfig(text, 'rules.yaml');
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
      throw error;
    }
  };

  it('defaults the limits to BigQuery maxima and a 15-minute schedule', () => {
    const config = parseConfig(route('    mode: batch\n    batch: {}\n'), 'rules.yaml');
    expect(config.routes[0]?.batch).toEqual({
      maxFiles: 10000,
      maxBytes: 15e12,
      jobsPerDay: 1000,
      sweepsPerDay: 96,
    });
  });

  it.each([
    [
      'more files than BigQuery takes',
      '    mode: batch\n    batch: { maxFiles: 10001 }\n',
      'routes[0].batch.maxFiles',
    ],
    [
      'more bytes than BigQuery takes',
      '    mode: batch\n    batch: { maxBytes: 15000000000001 }\n',
      'routes[0].batch.maxBytes',
    ],
    [
      'more jobs than the daily table quota',
      '    mode: batch\n    batch: { jobsPerDay: 1501 }\n',
      'routes[0].batch.jobsPerDay',
    ],
    ['batch limits without batch mode', '    batch: { maxFiles: 10 }\n', 'routes[0].batch'],
    ['an unknown mode', '    mode: stream\n', 'routes[0].mode'],
  ])('refuses %s, naming the path', (_what, extra, path) => {
    expect(issues(route(extra))).toContainEqual(
      expect.stringMatching(new RegExp(`^${path.replace(/[[\].]/g, '\\$&')}: `)),
    );
  });
});

describe('listTargets', () => {
  it('lists each bucket prefix once, dropping prefixes inside another', async () => {
    const rules = await rulesFrom(`
routes:
  - { name: a, match: "gs://landing/events/{yyyy}/*.ndjson", destination: raw.a }
  - { name: b, match: "gs://landing/events/late/*.csv", destination: raw.b }
  - { name: c, match: "gs://landing/sales/*.csv", destination: raw.c }
  - { name: d, match: "gs://landing-*/x/**", destination: raw.d }
`);
    expect(listTargets(rules.routes)).toEqual([
      { bucketPattern: 'landing', prefix: 'events/' },
      { bucketPattern: 'landing', prefix: 'sales/' },
      { bucketPattern: 'landing-*', prefix: 'x/' },
    ]);
  });
});
