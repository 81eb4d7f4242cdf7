import { jobFailure } from '../../../../src/gcp/bigquery/job-status';

describe('jobFailure', () => {
  it.each([
    {
      name: 'a DONE job with an errorResult',
      job: { status: { state: 'DONE', errorResult: { reason: 'invalid', message: 'bad row' } } },
      expected: 'invalid: bad row',
    },
    {
      name: 'an errorResult without reason or message',
      job: { status: { state: 'DONE', errorResult: {} } },
      expected: 'error: no message',
    },
    {
      name: 'a DONE job without errorResult',
      job: { status: { state: 'DONE' } },
      expected: undefined,
    },
    {
      name: 'a RUNNING job (errors so far do not decide)',
      job: { status: { state: 'RUNNING', errorResult: { reason: 'x' } } },
      expected: undefined,
    },
    { name: 'no job at all', job: undefined, expected: undefined },
  ])('reports $name as $expected', ({ job, expected }) => {
    expect(jobFailure(job)).toBe(expected);
  });
});
