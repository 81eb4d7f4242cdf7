import { discardSnapshots, SnapshotGoneError, withSnapshot } from '../../../src/outcomes/snapshot';
import type { LoadPlan } from '../../../src/types';

const plan = (snapshot: boolean) =>
  ({
    jobId: 'bqal_r_1',
    ...(snapshot
      ? {
          snapshot: {
            source: { bucket: 'b', name: 'a.csv', generation: '7' },
            target: { bucket: 'b', name: '.bq-autoloader/snapshots/bqal_r_1/a.csv' },
          },
        }
      : {}),
  }) as LoadPlan;

describe('withSnapshot', () => {
  it.each(['copied', 'exists'] as const)(
    'copies that generation, then inserts (copy answered %s)',
    async (answer) => {
      const calls: string[] = [];
      const copier = {
        snapshot: jest.fn(async () => {
          calls.push('copy');
          return answer;
        }),
      };
      const insert = withSnapshot(async () => {
        calls.push('insert');
        return 'job';
      }, copier);
      expect(await insert(plan(true))).toBe('job');
      expect(calls).toEqual(['copy', 'insert']);
      expect(copier.snapshot).toHaveBeenCalledWith(
        { bucket: 'b', name: 'a.csv', generation: '7' },
        { bucket: 'b', name: '.bq-autoloader/snapshots/bqal_r_1/a.csv' },
      );
    },
  );

  it('inserts nothing when the generation is gone', async () => {
    const insertJob = jest.fn();
    const insert = withSnapshot(insertJob, { snapshot: async () => 'gone' as const });
    await expect(insert(plan(true))).rejects.toBeInstanceOf(SnapshotGoneError);
    expect(insertJob).not.toHaveBeenCalled();
  });

  it('copies nothing for a plan without snapshot', async () => {
    const copier = { snapshot: jest.fn() };
    await withSnapshot(async () => 'job', copier)(plan(false));
    expect(copier.snapshot).not.toHaveBeenCalled();
  });
});

describe('discardSnapshots', () => {
  it('deletes only this job id’s snapshots among the sources', async () => {
    const discard = jest.fn(async () => 'done');
    await discardSnapshots(discard, 'bqal_r_1', [
      'gs://b/a.csv',
      'gs://b/.bq-autoloader/snapshots/bqal_r_2/a.csv',
      'gs://b/.bq-autoloader/snapshots/bqal_r_1/a.csv',
    ]);
    expect(discard.mock.calls).toEqual([
      [{ bucket: 'b', name: '.bq-autoloader/snapshots/bqal_r_1/a.csv' }],
    ]);
  });
});
