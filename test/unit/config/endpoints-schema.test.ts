import { parseConfig } from '../../../src/config/parse';
import { problems } from './problems';

const ROUTES = 'routes:\n  - name: r\n    match: gs://b/x.csv\n    destination: raw.t\n';
/** One route under the top-level keys `top`. */
const rules = (top: string) => `${top}${ROUTES}`;

describe('universeDomain and endpoints', () => {
  it('reads universeDomain and endpoints: regional in a location that has them', () => {
    const config = parseConfig(
      rules('universeDomain: googleapis.com\nendpoints: regional\nlocation: europe-west9\n'),
      'rules.yaml',
    );
    expect(config).toMatchObject({ universeDomain: 'googleapis.com', endpoints: 'regional' });
    expect(parseConfig(rules('universeDomain: s3nsapis.fr\n'), 'r.yaml')).toMatchObject({
      universeDomain: 's3nsapis.fr',
    });
  });

  it('refuses regional endpoints in a location without them, and a universe that is no domain', () => {
    expect(problems(rules('endpoints: regional\n'))).toEqual([
      {
        path: 'location',
        message: expect.stringMatching(/^multi-region US has no BigQuery regional endpoint/),
      },
    ]);
    expect(
      problems(
        rules('universeDomain: s3nsapis.fr\nendpoints: regional\nlocation: u-france-east1\n'),
      ),
    ).toEqual([
      {
        path: 'location',
        message:
          'u-france-east1 has no BigQuery regional endpoint in s3nsapis.fr (that universe documents none that a loader could use)',
      },
    ]);
    expect(problems(rules('universeDomain: https://s3nsapis.fr\n'))).toEqual([
      {
        path: 'universeDomain',
        message: 'expected a domain such as googleapis.com or s3nsapis.fr',
      },
    ]);
  });
});
