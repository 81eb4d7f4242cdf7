/**
 * Where Google's APIs live: the ONE place endpoints are derived. Every host comes from the
 * universe domain (`googleapis.com`, or `s3nsapis.fr` in Trusted Cloud by S3NS) and, with
 * regional endpoints, the job location (src/core/universe.ts). An emulator variable replaces
 * a public endpoint the way Google's own clients read it, so local servers stand in for
 * BigQuery, Cloud Storage and Pub/Sub without the calling code knowing; emulators win over
 * the universe and the location.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert
 * https://cloud.google.com/storage/docs/json_api/v1/objects
 * https://cloud.google.com/pubsub/docs/emulator#accessing_environment_variables
 */

import { type Environment, envBaseUrl } from '../core/env';
import { type ApiService, DEFAULT_UNIVERSE, envUniverse, serviceRoot } from '../core/universe';

/** The APIs the loader calls. */
export type GoogleService = ApiService;

/** Which universe, and whether calls stay in one location (regional endpoints). */
export interface EndpointChoice {
  universe: string;
  /**
   * Set: BigQuery and Cloud Storage calls go to this location's regional endpoints
   * (`bigquery.LOCATION.rep.UNIVERSE`). Pub/Sub stays on its global endpoint.
   */
  regionalLocation?: string;
}

export interface GoogleEndpoints extends EndpointChoice {
  /** The root of `/bigquery/v2/…` (metadata URI) and `/upload/bigquery/v2/…` (upload URI). */
  bigquery: string;
  /** The Storage JSON API up to and including `/storage/v1`. */
  storage: string;
  /** The root of `/v1/projects/…/topics/…:publish`. */
  pubsub: string;
  /**
   * Which services get a bearer token. Google's Storage and Pub/Sub clients send none to an
   * emulator (it wants none); BigQuery requests always carry one, as they did before.
   */
  authenticated: Record<GoogleService, boolean>;
}

/**
 * `BIGQUERY_EMULATOR_HOST` and `PUBSUB_EMULATOR_HOST`: `host:port` (http) or a URL.
 * `STORAGE_EMULATOR_HOST`: the API base used verbatim, e.g. `http://127.0.0.1:PORT/storage/v1`
 * (https:// added when it has no scheme, as @google-cloud/storage does).
 */
export function googleEndpoints(
  env: Environment = process.env,
  choice: EndpointChoice = { universe: envUniverse(env) ?? DEFAULT_UNIVERSE },
): GoogleEndpoints {
  const { universe, regionalLocation } = choice;
  const bigqueryEmulator = envBaseUrl(env, 'BIGQUERY_EMULATOR_HOST');
  const storageEmulator = envBaseUrl(env, 'STORAGE_EMULATOR_HOST', 'https');
  const pubsubEmulator = envBaseUrl(env, 'PUBSUB_EMULATOR_HOST');
  return {
    ...choice,
    bigquery: bigqueryEmulator ?? serviceRoot('bigquery', universe, regionalLocation),
    storage: storageEmulator ?? `${serviceRoot('storage', universe, regionalLocation)}/storage/v1`,
    pubsub: pubsubEmulator ?? serviceRoot('pubsub', universe),
    authenticated: { bigquery: true, storage: !storageEmulator, pubsub: !pubsubEmulator },
  };
}
