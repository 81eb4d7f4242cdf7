import { badSources } from '../../../src/outcomes/bad-sources';

const A = 'gs://b/a.csv';
const AGZ = 'gs://b/a.csv.gz';
const B = 'gs://b/dir/b.json';

describe('badSources', () => {
  it('names a member by an error’s location, as BigQuery does for the file that stopped the load', () => {
    const error = {
      reason: 'invalid',
      location: B,
      message:
        'Error while reading data, error message: JSON table encountered too many errors, giving up. Rows: 1; errors: 1. Please look into the errors[] collection for more details.',
    };
    expect(badSources([error], [A, B])).toEqual(new Map([[B, error]]));
  });

  it('names a member by a detail message ending in File: <uri>', () => {
    const error = {
      reason: 'invalid',
      message: `Error while reading data, error message: bad; line_number: 1 File: ${A}`,
    };
    expect([...badSources([error], [A, B]).keys()]).toEqual([A]);
  });

  it('counts exact member URIs only (a.csv is not a.csv.gz, nor an unknown file)', () => {
    const errors = [
      { reason: 'invalid', message: `bad row File: ${AGZ}` },
      { reason: 'invalid', location: 'gs://b/a', message: 'x' },
      { reason: 'invalid', message: `bad row File: ${A} trailing words` },
    ];
    expect(badSources(errors, [A, B])).toEqual(new Map());
    expect([...badSources(errors, [AGZ, B]).keys()]).toEqual([AGZ]);
  });

  it('keeps the first error naming each member, and ignores errors naming none', () => {
    const first = { reason: 'invalid', location: A, message: 'too many errors' };
    const errors = [
      { reason: 'notFound', message: 'Not found: Dataset p:raw' },
      first,
      { reason: 'invalid', message: `row 2 File: ${A}` },
    ];
    expect(badSources(errors, [A, B])).toEqual(new Map([[A, first]]));
  });

  it('takes the longest member a message ends with when a name itself holds "File: "', () => {
    const odd = `gs://b/x File: ${A}`;
    const error = { reason: 'invalid', message: `bad File: ${odd}` };
    expect([...badSources([error], [A, odd]).keys()]).toEqual([odd]);
  });
});
