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

describe('a load that failed on fields the table lacks', () => {
  it('names them on the reason (BigQuery puts them in errors[] only)', () => {
    const result = jobResult({
      status: {
        state: 'DONE',
        errorResult: {
          reason: 'invalid',
          message: 'JSON table encountered too many errors, giving up.',
        },
        errors: [
          { reason: 'invalid', message: 'JSON table encountered too many errors, giving up.' },
          {
            reason: 'invalid',
            message:
              'Error while reading data, error message: JSON parsing error in row starting at position 0: No such field: color.',
          },
          { reason: 'invalid', message: 'No such field: size.' },
        ],
      },
    });
    expect(result).toMatchObject({
      state: 'failed',
      reason:
        'invalid: JSON table encountered too many errors, giving up. (the file has columns the table does not: color, size)',
    });
  });
});
