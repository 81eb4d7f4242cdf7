import type {
  Marker,
  MarkerTarget,
  MarkerWriter,
  MarkResult,
} from '../../../src/gcp/storage/markers';
import { type FinishDeps, type FinishInput, finishLoad } from '../../../src/outcomes/finish';
import type { ObjectActions } from '../../../src/outcomes/post-load';
import type { ObjectRef } from '../../../src/types';

const OBJECT = { bucket: 'landing', name: 'a.csv', generation: '7' };

/** One object generation in memory with compare-and-set markers, like GCS. */
function fakeObject(metadata: Record<string, string> = {}) {
  const state = { exists: true, metageneration: 1, metadata: { ...metadata } };
  const getObject = jest.fn(
    async (): Promise<ObjectRef | undefined> =>
      state.exists
        ? {
            ...OBJECT,
            size: 1,
            metageneration: String(state.metageneration),
            metadata: { ...state.metadata },
          }
        : undefined,
  );
  const markers: MarkerWriter = {
    write: jest.fn(async (target: MarkerTarget, marker: Marker): Promise<MarkResult> => {
      if (!state.exists) return { kind: 'gone' };
      if (target.metageneration !== String(state.metageneration)) return { kind: 'conflict' };
      state.metageneration += 1;
      for (const [k, v] of Object.entries({
        'bq-autoloader-job': marker.jobId,
        'bq-autoloader-state': marker.state,
        'bq-autoloader-rows': marker.rows,
        'bq-autoloader-error': marker.error,
      })) {
        if (v === undefined) delete state.metadata[k];
        else state.metadata[k] = v;
      }
      return { kind: 'written', metageneration: String(state.metageneration) };
    }),
  };
  return { state, getObject, markers };
}

function deps(o: ReturnType<typeof fakeObject>) {
  const actions: ObjectActions = { apply: jest.fn(async (a) => (a ? 'moved' : 'kept')) };
  const publish = jest.fn(async () => 'msg-1');
  const d: FinishDeps = { getObject: o.getObject, markers: o.markers, actions, publish };
  return { d, actions, publish };
}

const LOADED: FinishInput = {
  route: {
    name: 'sales',
    onSuccess: { action: 'move', to: 'gs://archive/' },
    notifyTopic: 'projects/p/topics/t',
  },
  object: OBJECT,
  jobId: 'bqal_1',
  destination: 'p.raw.sales',
  result: { state: 'loaded', rows: '3', bytes: '10', errors: [] },
};

describe('finishLoad', () => {
  it('marks a submitted object loaded with its rows, notifies once and runs onSuccess', async () => {
    const o = fakeObject({ 'bq-autoloader-job': 'bqal_1', 'bq-autoloader-state': 'submitted' });
    const { d, actions, publish } = deps(o);
    const report = await finishLoad(d, LOADED);
    expect(report).toEqual({
      state: 'loaded',
      rows: '3',
      bytes: '10',
      marker: 'written',
      action: 'moved',
      notified: 'published: msg-1',
    });
    expect(o.state.metadata).toMatchObject({
      'bq-autoloader-state': 'loaded',
      'bq-autoloader-rows': '3',
    });
    expect(publish).toHaveBeenCalledTimes(1);
    expect(actions.apply).toHaveBeenCalledWith(LOADED.route.onSuccess, OBJECT);
  });

  it('marks a failed load with its reason and runs onFailure (keep when absent)', async () => {
    const o = fakeObject();
    const { d, actions } = deps(o);
    const report = await finishLoad(d, {
      ...LOADED,
      result: { state: 'failed', reason: 'invalid: bad row', errors: [] },
    });
    expect(report).toMatchObject({ state: 'failed', error: 'invalid: bad row', action: 'kept' });
    expect(o.state.metadata['bq-autoloader-error']).toBe('invalid: bad row');
    expect(actions.apply).toHaveBeenCalledWith(undefined, OBJECT);
  });

  it('a second finisher neither re-marks nor notifies, but repeats the (idempotent) action', async () => {
    const o = fakeObject({ 'bq-autoloader-job': 'bqal_1', 'bq-autoloader-state': 'submitted' });
    const { d, actions, publish } = deps(o);
    await finishLoad(d, LOADED);
    const again = await finishLoad(d, LOADED);
    expect(again).toMatchObject({ marker: 'already', action: 'moved' });
    expect(publish).toHaveBeenCalledTimes(1);
    expect(actions.apply).toHaveBeenCalledTimes(2);
  });

  it('two finishers at once: exactly one writes the marker and notifies', async () => {
    const o = fakeObject({ 'bq-autoloader-job': 'bqal_1', 'bq-autoloader-state': 'submitted' });
    const { d, publish } = deps(o);
    const reports = await Promise.all([finishLoad(d, LOADED), finishLoad(d, LOADED)]);
    expect(reports.map((r) => r.marker).sort()).toEqual(['already', 'written']);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('a generation that no longer exists is not marked, moved or notified', async () => {
    const o = fakeObject();
    o.state.exists = false;
    const { d, actions, publish } = deps(o);
    expect(await finishLoad(d, LOADED)).toMatchObject({ marker: 'gone', action: 'skipped' });
    expect(o.markers.write).not.toHaveBeenCalled();
    expect(actions.apply).not.toHaveBeenCalled();
    expect(publish).not.toHaveBeenCalled();
  });

  it('an object marked by another job is left alone', async () => {
    const o = fakeObject({ 'bq-autoloader-job': 'bqal_other', 'bq-autoloader-state': 'submitted' });
    const { d, actions } = deps(o);
    expect(await finishLoad(d, LOADED)).toMatchObject({ marker: 'foreign', action: 'skipped' });
    expect(actions.apply).not.toHaveBeenCalled();
  });

  it('a notification that cannot be published is reported, not thrown', async () => {
    const o = fakeObject();
    const { d } = deps(o);
    d.publish = jest.fn(async () => {
      throw new Error('HTTP 503');
    });
    expect(await finishLoad(d, LOADED)).toMatchObject({
      marker: 'written',
      notified: 'failed: HTTP 503',
    });
  });
});
