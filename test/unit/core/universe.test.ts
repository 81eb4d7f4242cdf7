import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chooseUniverse,
  REGIONAL_ENDPOINT_LOCATIONS,
  regionalEndpointProblem,
  serviceRoot,
  UniverseMismatchError,
} from '../../../src/core/universe';

describe('chooseUniverse', () => {
  it.each([
    [{}, 'googleapis.com', 'default'],
    [{ credentials: 's3nsapis.fr' }, 's3nsapis.fr', 'credentials'],
    [{ env: 's3nsapis.fr' }, 's3nsapis.fr', 'GOOGLE_CLOUD_UNIVERSE_DOMAIN'],
    [{ rules: 's3nsapis.fr', credentials: 's3nsapis.fr' }, 's3nsapis.fr', 'rules file'],
    [
      { rules: 's3nsapis.fr', env: 's3nsapis.fr', credentials: 's3nsapis.fr' },
      's3nsapis.fr',
      'rules file',
    ],
  ])('takes %j as %s from the %s', (sources, universe, from) => {
    expect(chooseUniverse(sources)).toEqual({ universe, from });
  });

  it('refuses a configured universe the credentials do not belong to, naming both', () => {
    expect(() => chooseUniverse({ rules: 's3nsapis.fr', credentials: 'googleapis.com' })).toThrow(
      new UniverseMismatchError(
        'universe mismatch: the rules file says s3nsapis.fr but the credentials belong to googleapis.com',
      ),
    );
    expect(() => chooseUniverse({ env: 'googleapis.com', credentials: 's3nsapis.fr' })).toThrow(
      /GOOGLE_CLOUD_UNIVERSE_DOMAIN says googleapis.com but the credentials belong to s3nsapis.fr/,
    );
  });

  it('refuses a rules file that disagrees with the environment', () => {
    expect(() => chooseUniverse({ rules: 's3nsapis.fr', env: 'googleapis.com' })).toThrow(
      /the rules file says s3nsapis.fr but GOOGLE_CLOUD_UNIVERSE_DOMAIN says googleapis.com/,
    );
  });
});

describe('regional endpoints', () => {
  it('builds global and regional roots from the universe', () => {
    expect(serviceRoot('bigquery', 's3nsapis.fr')).toBe('https://bigquery.s3nsapis.fr');
    expect(serviceRoot('storage', 'googleapis.com', 'EUROPE-WEST9')).toBe(
      'https://storage.europe-west9.rep.googleapis.com',
    );
  });

  it.each(['europe-west9', 'EUROPE-WEST3', 'us-central1', 'me-central2'])(
    'knows %s has BigQuery regional endpoints in Google Cloud',
    (location) => {
      expect(regionalEndpointProblem('googleapis.com', location)).toBeUndefined();
    },
  );

  it.each([
    ['US', /^multi-region US has no BigQuery regional endpoint in googleapis.com/],
    ['asia-northeast1', /^asia-northeast1 has no BigQuery regional endpoint/],
  ])('refuses %s, listing where they exist', (location, message) => {
    const problem = regionalEndpointProblem('googleapis.com', location);
    expect(problem).toMatch(message);
    expect(problem).toContain('europe-west9');
  });

  it('does not judge a universe whose list it does not know', () => {
    expect(regionalEndpointProblem('example-universe.test', 'anywhere1')).toBeUndefined();
  });
});

it('docs/sovereign.md lists exactly the locations the loader accepts for regional endpoints', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/sovereign.md'), 'utf8').replace(
    /\s+/g,
    ' ',
  );
  const listed = /so BigQuery's list decides: ([a-z0-9, -]+) \(/.exec(doc)?.[1]?.split(', ');
  expect(listed).toEqual(REGIONAL_ENDPOINT_LOCATIONS['googleapis.com']);
});
