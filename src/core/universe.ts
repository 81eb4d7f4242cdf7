/**
 * Google Cloud universes and the host names of their APIs. Google Cloud is the universe
 * `googleapis.com`; Trusted Cloud by S3NS is `s3nsapis.fr`, where `bigquery.googleapis.com`
 * becomes `bigquery.s3nsapis.fr` (same for storage and pubsub). API *service names* keep
 * `googleapis.com` everywhere (audit logs, API enablement): only endpoints change.
 * Regional endpoints keep requests in a location: `bigquery.LOCATION.rep.UNIVERSE`.
 * https://documentation.s3ns.fr/docs/get-started-tpc/use-client-libraries
 * https://cloud.google.com/bigquery/docs/regional-endpoints
 * https://cloud.google.com/storage/docs/regional-endpoints
 */

import { type Environment, envText, SettingError } from './env';

export const DEFAULT_UNIVERSE = 'googleapis.com';

/** A DNS name of two labels or more, lowercase (`googleapis.com`, `s3nsapis.fr`). */
export const UNIVERSE_DOMAIN =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export type ApiService = 'bigquery' | 'storage' | 'pubsub';

/**
 * Where BigQuery's regional endpoints exist, per universe (lowercase locations). Cloud
 * Storage has regional endpoints in every region and in US and EU, so BigQuery's list is
 * the one that limits a deployment that sends both services' calls to one location. From
 * "BigQuery regional endpoints", Supported locations (2026); a universe not listed here is
 * not checked (its list is not published in a form we could verify).
 */
export const REGIONAL_ENDPOINT_LOCATIONS: Readonly<Record<string, readonly string[]>> = {
  [DEFAULT_UNIVERSE]: [
    'asia-south1',
    'asia-south2',
    'europe-west1',
    'europe-west2',
    'europe-west3',
    'europe-west6',
    'europe-west8',
    'europe-west9',
    'me-central2',
    'us-central1',
    'us-east1',
    'us-east4',
    'us-east5',
    'us-south1',
    'us-west1',
    'us-west2',
    'us-west3',
    'us-west4',
  ],
  's3nsapis.fr': [],
};

/** `GOOGLE_CLOUD_UNIVERSE_DOMAIN` (`s3nsapis.fr`), as Google's client libraries read it. */
export function envUniverse(env: Environment): string | undefined {
  const name = 'GOOGLE_CLOUD_UNIVERSE_DOMAIN';
  const text = envText(env, name)?.toLowerCase();
  if (text !== undefined && !UNIVERSE_DOMAIN.test(text)) {
    throw new SettingError(name, `${name} must be a domain such as s3nsapis.fr, got "${text}"`);
  }
  return text;
}

/** `https://SERVICE.UNIVERSE`, or the regional `https://SERVICE.LOCATION.rep.UNIVERSE`. */
export function serviceRoot(service: ApiService, universe: string, location?: string): string {
  return location === undefined
    ? `https://${service}.${universe}`
    : `https://${service}.${location.toLowerCase()}.rep.${universe}`;
}

/** Why `location` has no regional endpoint in `universe`, or undefined when it has one. */
export function regionalEndpointProblem(universe: string, location: string): string | undefined {
  const known = REGIONAL_ENDPOINT_LOCATIONS[universe];
  if (known === undefined || known.includes(location.toLowerCase())) return undefined;
  const kind = /^(us|eu)$/i.test(location) ? 'multi-region ' : '';
  const where = known.length
    ? `regional endpoints exist in ${known.join(', ')}`
    : 'that universe documents none that a loader could use';
  return `${kind}${location} has no BigQuery regional endpoint in ${universe} (${where})`;
}

/** Where each candidate universe came from, named in messages. */
export interface UniverseSources {
  /** `universeDomain:` of the rules file. */
  rules?: string;
  /** `GOOGLE_CLOUD_UNIVERSE_DOMAIN`. */
  env?: string;
  /** The credentials' (metadata server or key file); undefined when they could not say. */
  credentials?: string;
}

export interface ChosenUniverse {
  universe: string;
  from: 'rules file' | 'GOOGLE_CLOUD_UNIVERSE_DOMAIN' | 'credentials' | 'default';
}

/** Two sources disagree: the loader must not start (its token would not work there). */
export class UniverseMismatchError extends Error {
  override readonly name = 'UniverseMismatchError';
}

/**
 * The universe, in order: the rules file, GOOGLE_CLOUD_UNIVERSE_DOMAIN, the credentials,
 * googleapis.com. A configured universe is a claim the credentials must confirm: a token of
 * one universe is refused by every other, so a disagreement is an error naming both, not a
 * silent choice. So is a rules file that disagrees with the environment.
 */
export function chooseUniverse(sources: UniverseSources): ChosenUniverse {
  const named: [ChosenUniverse['from'], string | undefined][] = [
    ['rules file', sources.rules],
    ['GOOGLE_CLOUD_UNIVERSE_DOMAIN', sources.env],
    // A key file or metadata server written by hand may differ in case or blanks only.
    ['credentials', sources.credentials?.trim().toLowerCase()],
  ];
  const given = named.filter((entry): entry is [ChosenUniverse['from'], string] => !!entry[1]);
  const [first] = given;
  if (first === undefined) return { universe: DEFAULT_UNIVERSE, from: 'default' };
  for (const [from, universe] of given.slice(1)) {
    if (universe !== first[1]) {
      throw new UniverseMismatchError(
        `universe mismatch: ${describeSource(first[0])} says ${first[1]} but ${describeSource(from)} ${from === 'credentials' ? 'belong to' : 'says'} ${universe}`,
      );
    }
  }
  return { universe: first[1], from: first[0] };
}

function describeSource(from: ChosenUniverse['from']): string {
  return from === 'GOOGLE_CLOUD_UNIVERSE_DOMAIN' ? from : `the ${from}`;
}
