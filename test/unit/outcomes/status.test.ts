import {
  explainUnmarked,
  loadPlaces,
  objectStatus,
  parseDuration,
  recentLoads,
  summarizeRoute,
} from '../../../src/outcomes/status';
import type { ObjectRef } from '../../../src/types';
import { rulesFrom } from '../routing/rules';

function object(name: string, updated: string, metadata: Record<string, string> = {}) {
  return { bucket: 'b', name, generation: '1', size: 1, metadata, updated } as ObjectRef & {
    updated: string;
  };
}

const loaded = (rows: string) => ({
  'bq-autoloader-job': 'bqal_1',
  'bq-autoloader-state': 'loaded',
  'bq-autoloader-rows': rows,
});
const failed = {
  'bq-autoloader-job': 'bqal_2',
  'bq-autoloader-state': 'failed',
  'bq-autoloader-error': 'invalid: x',
};

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1 h', undefined],
    ['h', undefined],
    ['-1h', undefined],
  ])('%s', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });
});

describe('objectStatus', () => {
  it('shows the marker state, job, rows and error, or none', () => {
    expect(objectStatus(object('a', '2026-11-28T10:00:00Z', loaded('3')))).toEqual({
      object: 'gs://b/a',
      generation: '1',
      state: 'loaded',
      jobId: 'bqal_1',
      rows: '3',
      updated: '2026-11-28T10:00:00Z',
    });
    expect(objectStatus(object('c', '2026-11-28T10:00:00Z', failed)).error).toBe('invalid: x');
    expect(objectStatus(object('d', '2026-11-28T10:00:00Z')).state).toBe('none');
  });
});

describe('summarizeRoute', () => {
  it('counts objects changed in the window by state, sums rows, lists failures newest first', () => {
    const since = Date.parse('2026-11-28T09:00:00Z');
    const summary = summarizeRoute(
      'sales',
      [
        object('old', '2026-11-28T08:59:59Z', loaded('100')),
        object('a', '2026-11-28T09:00:00Z', loaded('3')),
        object('b', '2026-11-28T09:30:00Z', loaded('4')),
        object('f1', '2026-11-28T09:10:00Z', failed),
        object('f2', '2026-11-28T09:50:00Z', failed),
        object('n', '2026-11-28T09:20:00Z'),
      ],
      since,
    );
    expect(summary).toMatchObject({
      route: 'sales',
      since: '2026-11-28T09:00:00.000Z',
      objects: 5,
      states: { loaded: 2, failed: 2, none: 1 },
      rows: 7,
    });
    expect(summary.failures.map((f) => f.object)).toEqual(['gs://b/f2', 'gs://b/f1']);
  });
});

describe('recentLoads', () => {
  it('lists marked objects only, newest first, at most the limit', () => {
    const objects = [
      object('a', '2026-11-28T10:00:00Z', loaded('3')),
      object('none', '2026-11-28T12:00:00Z'),
      object('b', '2026-11-28T11:00:00Z', failed),
      object('c', '2026-11-28T09:00:00Z', loaded('1')),
    ];
    expect(recentLoads(objects, 2).map((s) => [s.object, s.state])).toEqual([
      ['gs://b/b', 'failed'],
      ['gs://b/a', 'loaded'],
    ]);
  });
});

describe('explainUnmarked', () => {
  const yaml = `
routes:
  - name: sales
    match: gs://b/sales/*.csv
    destination: raw.sales
`;

  it('names the route, destination and job id of an object the loader would load', async () => {
    const rules = await rulesFrom(yaml);
    const explained = explainUnmarked(rules, object('sales/x.csv', ''), 'proj');
    expect(explained).toEqual({
      would: 'load',
      route: 'sales',
      destination: 'proj.raw.sales',
      jobId: expect.stringMatching(/^bqal_sales_/),
    });
  });

  it('says why not, with the closest route when none matches', async () => {
    const rules = await rulesFrom(yaml);
    const explained = explainUnmarked(rules, object('sale/x.csv', ''), 'proj');
    expect(explained).toMatchObject({
      would: 'ignore',
      closest: { route: 'sales', difference: expect.stringMatching(/^character 5 of the name/) },
    });
  });
});

describe('loadPlaces', () => {
  it('lists each literal bucket prefix once (none inside another) and names glob routes', async () => {
    const rules = await rulesFrom(`
routes:
  - { name: a, match: gs://landing/sales/*.csv, destination: raw.a }
  - { name: b, match: gs://landing/sales/eu/*.csv, destination: raw.b }
  - { name: c, match: gs://other/x/*.csv, destination: raw.c }
  - { name: d, match: gs://landing-*/y/*.csv, destination: raw.d }
`);
    expect(loadPlaces(rules.routes)).toEqual({
      places: [
        { bucket: 'landing', prefix: 'sales/' },
        { bucket: 'other', prefix: 'x/' },
      ],
      unlisted: ['d'],
    });
  });
});
