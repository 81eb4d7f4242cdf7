import { afterSubmit, type OutcomeDeps } from '../../../src/outcomes/after-submit';
import type { LoadPlan, ObjectRef } from '../../../src/types';

const OBJECT: ObjectRef = {
  bucket: 'landing',
  name: 'a.csv',
  generation: '7',
  metageneration: '1',
  size: 1,
  metadata: {},
};
const PLAN = {
  route: 'sales',
  projectId: 'p',
  location: 'US',
  jobId: 'bqal_1',
  object: 'gs://landing/a.csv',
  job: {
    jobReference: { projectId: 'p', jobId: 'bqal_1', location: 'US' },
    configuration: {
      load: {
        destinationTable: { projectId: 'p', datasetId: 'raw', tableId: 'sales' },
        sourceFormat: 'CSV',
      },
      labels: {},
    },
  },
} as LoadPlan;
const FAILED = {
  status: {
    state: 'DONE',
    errorResult: { reason: 'invalid', message: 'bad' },
    errors: [{ reason: 'invalid', message: 'row 2' }],
  },
};

function deps(): OutcomeDeps & { apply: jest.Mock } {
  const apply = jest.fn(async () => 'moved' as const);
  return {
    getJob: jest.fn(async () => ({ status: { state: 'RUNNING' } })),
    getObject: jest.fn(async () => OBJECT),
    markers: { write: jest.fn(async () => ({ kind: 'written' as const, metageneration: '2' })) },
    actions: { apply },
    apply,
    initialDelayMs: 1,
  };
}

describe('afterSubmit', () => {
  it('does nothing for a route without outcome options', async () => {
    const d = deps();
    expect(await afterSubmit(d, { name: 'sales' }, PLAN, OBJECT, FAILED)).toEqual({
      severity: 'INFO',
      fields: {},
    });
    expect(d.markers.write).not.toHaveBeenCalled();
  });

  it('finishes a job already failed at insert without waiting: ERROR with the error list', async () => {
    const d = deps();
    const onFailure = { action: 'move' as const, to: 'gs://q/' };
    const after = await afterSubmit(d, { name: 'sales', onFailure }, PLAN, OBJECT, FAILED);
    expect(after).toMatchObject({
      severity: 'ERROR',
      fields: {
        state: 'failed',
        error: 'invalid: bad',
        errors: ['invalid: row 2'],
        action: 'moved',
      },
    });
    expect(d.apply).toHaveBeenCalledWith(onFailure, {
      bucket: 'landing',
      name: 'a.csv',
      generation: '7',
    });
    expect(d.getJob).not.toHaveBeenCalled();
  });

  it('reports a failure another finisher already recorded at INFO: one ERROR per failed load', async () => {
    const d = deps();
    d.getObject = jest.fn(async () => ({
      ...OBJECT,
      metadata: { 'bq-autoloader-job': 'bqal_1', 'bq-autoloader-state': 'failed' },
    }));
    const after = await afterSubmit(
      d,
      { name: 'sales', onFailure: { action: 'keep' } },
      PLAN,
      OBJECT,
      FAILED,
    );
    expect(after).toMatchObject({
      severity: 'INFO',
      fields: { state: 'failed', finished: 'already' },
    });
    expect(d.markers.write).not.toHaveBeenCalled();
  });

  it('leaves a running job submitted when there is no wait', async () => {
    const d = deps();
    const onSuccess = { action: 'delete' as const };
    const after = await afterSubmit(d, { name: 'sales', onSuccess }, PLAN, OBJECT, {
      status: { state: 'RUNNING' },
    });
    expect(after.fields).toEqual({});
    expect(d.apply).not.toHaveBeenCalled();
  });

  it('waits and reports a job still running at the deadline as still claimed (not finished)', async () => {
    const d = deps();
    const after = await afterSubmit(
      d,
      { name: 'sales', wait: { timeoutSeconds: 1 } },
      PLAN,
      OBJECT,
      { status: { state: 'RUNNING' } },
    );
    expect(after.fields).toMatchObject({ state: 'claimed' });
    expect(d.getJob).toHaveBeenCalled();
    expect(d.markers.write).not.toHaveBeenCalled();
  });
});
