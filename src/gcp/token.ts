/**
 * One access-token provider for every Google call, on google-auth-library (Application
 * Default Credentials: the runtime service account on Cloud Run). A call reads the cached
 * token; the library is asked only when the token is due: ahead of expiry (while the old
 * token still serves, in the background), when none is left, or after a 401. At most one
 * request for a token is in flight at a time, however many calls want one.
 * https://cloud.google.com/docs/authentication/application-default-credentials
 */

import { Compute, GoogleAuth } from 'google-auth-library';
import { type Environment, envList } from '../core/env';

/** What jobs.insert, markers, post-load moves and dead letters need. */
export const DEFAULT_SCOPES = [
  'https://www.googleapis.com/auth/bigquery',
  'https://www.googleapis.com/auth/devstorage.read_write',
  'https://www.googleapis.com/auth/pubsub',
];

/** Refresh once less than this remains (tokens live an hour). */
export const REFRESH_AHEAD_MS = 5 * 60_000;
/** Below this, the old token is not used any more: calls wait for the new one. */
const STALE_MS = 30_000;
/** A token whose expiry the credential does not tell is asked for again after this long. */
const UNKNOWN_LIFETIME_MS = 10 * 60_000;

export interface TokenProvider {
  /** A bearer token, from the cache unless it is due. */
  token(): Promise<string>;
  /** The API answered 401 to `token`: drop it (once, however many calls saw it). */
  invalidate(token: string): void;
  /** The runtime project (GOOGLE_CLOUD_PROJECT, else the credential's), cached. */
  projectId(): Promise<string>;
  /**
   * The universe the credentials belong to, cached: on Cloud Run (a Compute client) the
   * metadata server's `universe/universe-domain` (googleapis.com when it has no such path),
   * else the key file's `universe_domain` (googleapis.com when it names none).
   */
  universe(): Promise<string>;
}

/** The parts of GoogleAuth the provider uses (a test may pass its own). */
export type TokenSource = Pick<GoogleAuth, 'getClient' | 'getProjectId'> &
  Partial<Pick<GoogleAuth, 'getUniverseDomainFromMetadataServer'>>;

export interface TokenProviderOptions {
  /** Default: a GoogleAuth with `scopes`. */
  auth?: TokenSource;
  /** Default: `googleScopes(env)`. Ignored with `auth`. */
  scopes?: string[];
  env?: NodeJS.ProcessEnv;
  refreshAheadMs?: number;
  now?: () => number;
}

/** Scopes from `AUTOLOADER_SCOPES` (comma-separated), else DEFAULT_SCOPES. */
export function googleScopes(env: Environment = process.env): string[] {
  return envList(env, 'AUTOLOADER_SCOPES') ?? [...DEFAULT_SCOPES];
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export function createTokenProvider(options: TokenProviderOptions = {}): TokenProvider {
  const auth =
    options.auth ?? new GoogleAuth({ scopes: options.scopes ?? googleScopes(options.env) });
  const now = options.now ?? Date.now;
  const refreshAheadMs = options.refreshAheadMs ?? REFRESH_AHEAD_MS;
  let cached: CachedToken | undefined;
  let refreshing: Promise<string> | undefined;
  let project: Promise<string> | undefined;
  let universe: Promise<string> | undefined;

  async function fetchToken(): Promise<CachedToken> {
    const client = await auth.getClient();
    // The library keeps its own cache with its own threshold; we only get here when ours
    // says the token is due (or answered 401), so mark its copy expired first. An expiry of
    // 1 is how the library itself marks "fetch before first use" (its GCE client starts so).
    client.setCredentials({ ...client.credentials, expiry_date: 1 });
    const { token } = await client.getAccessToken();
    if (!token) throw new Error('google-auth-library answered no access token');
    const expiry = client.credentials.expiry_date;
    const known = typeof expiry === 'number' && expiry > 1;
    return { token, expiresAt: known ? expiry : now() + UNKNOWN_LIFETIME_MS };
  }

  function refresh(): Promise<string> {
    refreshing ??= fetchToken()
      .then((fresh) => {
        cached = fresh;
        return fresh.token;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  function token(): Promise<string> {
    const left = cached ? cached.expiresAt - now() : 0;
    if (cached && left > refreshAheadMs) return Promise.resolve(cached.token);
    if (cached && left > STALE_MS) {
      // Due but still good: serve it and refresh behind it. A failed refresh is tried again
      // by the next call; it fails loudly only once the token is stale.
      refresh().catch(() => undefined);
      return Promise.resolve(cached.token);
    }
    return refresh();
  }

  return {
    token,
    invalidate(rejected) {
      if (cached?.token === rejected) cached = undefined;
    },
    projectId() {
      project ??= auth.getProjectId().catch((error: unknown) => {
        project = undefined;
        throw error;
      });
      return project;
    },
    universe() {
      universe ??= credentialsUniverse(auth).catch((error: unknown) => {
        universe = undefined;
        throw error;
      });
      return universe;
    },
  };
}

async function credentialsUniverse(auth: TokenSource): Promise<string> {
  const client = await auth.getClient();
  // google-auth-library gives a Compute client the default universe without asking; the
  // metadata server is the one that knows which universe the instance runs in.
  if (client instanceof Compute && auth.getUniverseDomainFromMetadataServer) {
    return auth.getUniverseDomainFromMetadataServer();
  }
  return client.universeDomain;
}
