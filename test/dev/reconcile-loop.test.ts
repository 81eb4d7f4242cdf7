/** The reconcile loop's terminal line and its interval setting (the loop itself: test/integration/status-page.test.ts). */
import type { LocalLoader } from '../../dev/local-loader';
import {
  finishedLine,
  RECONCILE_INTERVAL_ENV,
  reconcileInterval,
  startReconcileLoop,
} from '../../dev/reconcile-loop';
import { rulesFrom } from '../unit/routing/rules';

describe('finishedLine', () => {
  it('says time, object, state and rows or the error', () => {
    // Local time, like the function's lines beside it.
    const at = new Date(2026, 10, 29, 10, 11, 12, 5);
    const base = { at, object: 'gs://b/a.csv', generation: '1', jobId: 'j' };
    expect(finishedLine({ ...base, state: 'loaded', rows: '3' })).toBe(
      '10:11:12.005  gs://b/a.csv  loaded  3 rows',
    );
    expect(finishedLine({ ...base, state: 'failed', error: 'invalid: bad' })).toBe(
      '10:11:12.005  gs://b/a.csv  failed  invalid: bad',
    );
  });
});

describe('reconcileInterval', () => {
  it('is 2 s unless AUTOLOADER_LOCAL_RECONCILE_MS says otherwise', () => {
    expect(reconcileInterval({})).toBe(2000);
    expect(reconcileInterval({ [RECONCILE_INTERVAL_ENV]: '500' })).toBe(500);
  });

  it('refuses a value that is not a whole number of milliseconds, naming the variable', () => {
    expect(() => reconcileInterval({ [RECONCILE_INTERVAL_ENV]: '2s' })).toThrow(
      /AUTOLOADER_LOCAL_RECONCILE_MS must be a whole number of milliseconds/,
    );
  });
});

describe('startReconcileLoop', () => {
  it('reconciles with the rules in force on each run (npm start swaps them on a reload)', async () => {
    const listed: string[] = [];
    const google = {
      bigquery: { getJob: jest.fn(), insertJob: jest.fn() },
      objects: { getObject: jest.fn(), getLiveObject: jest.fn() },
      markers: { write: jest.fn() },
      changes: { discard: jest.fn() },
      publisher: { publish: jest.fn() },
      runtimeProject: async () => 'p',
      lister: {
        listObjects: async function* (bucket: string) {
          listed.push(bucket);
          yield [];
        },
        listBuckets: async function* () {
          yield [];
        },
      },
    } as unknown as LocalLoader['google'];
    const loader = {
      google,
      rules: await rulesFrom(
        'routes:\n  - { name: a, match: gs://first/x/*.csv, destination: raw.a }\n',
      ),
      configPath: 'rules.yaml',
      projectId: 'p',
      reloadRules: async () => undefined,
      close: () => undefined,
    } as LocalLoader;
    const loop = startReconcileLoop({ loader, intervalMs: 3_600_000 });
    await loop.runOnce();
    loader.rules = await rulesFrom(
      'routes:\n  - { name: b, match: gs://second/y/*.csv, destination: raw.b }\n',
    );
    await loop.runOnce();
    await loop.close();
    expect(listed.at(-1)).toBe('second');
    expect(listed).toContain('first');
  });
});
