import { jobResult } from '../../../src/outcomes/job-result';

describe('jobResult', () => {
  it.each([
    ['a job without status', {}, { state: 'running' }],
    ['a RUNNING job', { status: { state: 'RUNNING' } }, { state: 'running' }],
    [
      'a DONE job with statistics',
      {
        status: { state: 'DONE' },
        statistics: { load: { outputRows: '3', inputFileBytes: '42' } },
      },
      { state: 'loaded', rows: '3', bytes: '42', errors: [] },
    ],
    [
      'a DONE job with row warnings but no errorResult',
      { status: { state: 'DONE', errors: [{ reason: 'invalid', message: 'row 2' }] } },
      { state: 'loaded', errors: [{ reason: 'invalid', message: 'row 2' }] },
    ],
    [
      'a DONE job with an errorResult',
      {
        status: {
          state: 'DONE',
          errorResult: { reason: 'invalid', message: 'bad row', location: 'gs://b/o' },
          errors: [{ reason: 'invalid', message: 'bad row' }, 'junk'],
        },
      },
      {
        state: 'failed',
        reason: 'invalid: bad row',
        errors: [{ reason: 'invalid', message: 'bad row' }, {}],
      },
    ],
    [
      'statistics that are not int64 strings',
      {
        status: { state: 'DONE' },
        statistics: { load: { outputRows: 'many', inputFileBytes: 7 } },
      },
      { state: 'loaded', bytes: '7', errors: [] },
    ],
    ['nothing at all', undefined, { state: 'running' }],
  ])('reads %s', (_what, job, expected) => {
    expect(jobResult(job)).toEqual(expected);
  });
});
