import { parseSnapshotName, snapshotName } from '../../../src/core/snapshot';

describe('snapshot names', () => {
  it('round-trips the job id and the original name', () => {
    const name = snapshotName('bqal_r_abc', 'a/b/c.csv');
    expect(name).toBe('.bq-autoloader/snapshots/bqal_r_abc/a/b/c.csv');
    expect(parseSnapshotName(name)).toEqual({ jobId: 'bqal_r_abc', name: 'a/b/c.csv' });
  });

  it.each([
    'a/b.csv',
    '.bq-autoloader/sweep.lease',
    '.bq-autoloader/snapshots/',
    '.bq-autoloader/snapshots/bqal_r/',
    '.bq-autoloader/snapshots//a.csv',
    '.bq-autoloader/snapshots/not a job id/a.csv',
  ])('reads no snapshot in %s', (name) => {
    expect(parseSnapshotName(name)).toBeUndefined();
  });
});
