/** The reconcile loop's terminal line and its interval setting (the loop itself: test/integration/status-page.test.ts). */
import { finishedLine, RECONCILE_INTERVAL_ENV, reconcileInterval } from '../../dev/reconcile-loop';

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
