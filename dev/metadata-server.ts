/**
 * A local GCE metadata server: what google-auth-library (through gcp-metadata) asks for when
 * Application Default Credentials run on Cloud Run — an access token and the project id.
 * Point the function at it with `GCE_METADATA_HOST=<host>` and `METADATA_SERVER_DETECTION=assume-present`.
 * https://cloud.google.com/compute/docs/metadata/querying-metadata
 * https://cloud.google.com/compute/docs/access/authenticate-workloads#applications
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, sendJson, sendText } from './http-util';

export interface MetadataServerOptions {
  port?: number;
  projectId?: string;
  accessToken?: string;
  /**
   * What `/universe/universe-domain` answers (google-auth-library reads it). Default
   * `googleapis.com`, what a metadata server in Google Cloud answers; `s3nsapis.fr` plays
   * Trusted Cloud by S3NS.
   */
  universeDomain?: string;
  /** Default `bq-autoloader@PROJECT.iam.gserviceaccount.com`, with a `domain:` prefix dropped. */
  serviceAccountEmail?: string;
}

export interface MetadataRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface MetadataServer {
  /** `127.0.0.1:PORT`, the value for `GCE_METADATA_HOST`. */
  host: string;
  url: string;
  /** Every request received, in order (tests assert what the client asked). */
  requests: MetadataRequest[];
  close(): Promise<void>;
}

const FLAVOR = { 'Metadata-Flavor': 'Google' };
const NUMERIC_PROJECT_ID = '123456789012';
const TOKEN_LIFETIME_SECONDS = 3599;

export async function startMetadataServer(
  options: MetadataServerOptions = {},
): Promise<MetadataServer> {
  const projectId = options.projectId ?? 'local-project';
  const accessToken = options.accessToken ?? 'local-access-token';
  // A prefixed id (`s3ns:example-project`) cannot appear in an e-mail domain as is.
  const email =
    options.serviceAccountEmail ??
    `bq-autoloader@${projectId.replace(/^.*:/, '')}.iam.gserviceaccount.com`;
  const requests: MetadataRequest[] = [];

  // Paths relative to /computeMetadata/v1/ and their plain-text values.
  const values: Record<string, string> = {
    'project/project-id': projectId,
    'project/numeric-project-id': NUMERIC_PROJECT_ID,
    'instance/service-accounts/default/email': email,
    'instance/service-accounts/default/aliases': 'default',
    'instance/service-accounts/default/scopes': 'https://www.googleapis.com/auth/cloud-platform',
    'instance/zone': 'projects/123456789012/zones/local-a',
    'instance/region': 'projects/123456789012/regions/local',
    'universe/universe-domain': options.universeDomain ?? 'googleapis.com',
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://metadata');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      headers: req.headers,
    });
    if (req.method !== 'GET') {
      sendText(res, 405, 'method not allowed', FLAVOR);
      return;
    }
    // The real server refuses requests without this header (protection against SSRF).
    if (req.headers['metadata-flavor'] !== 'Google') {
      sendText(res, 403, 'Missing required header "Metadata-Flavor": "Google"', FLAVOR);
      return;
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '' || path === '/computeMetadata' || path === '/computeMetadata/v1') {
      // Detection pings (gcp-metadata isAvailable) only look at the status and the header.
      sendText(res, 200, 'computeMetadata/\n', FLAVOR);
      return;
    }
    const key = path.replace(/^\/computeMetadata\/v1\//, '');
    if (key === 'instance/service-accounts/default/token') {
      // `?scopes=a,b` is honoured by the real server; any scope is granted here.
      sendJson(
        res,
        200,
        { access_token: accessToken, expires_in: TOKEN_LIFETIME_SECONDS, token_type: 'Bearer' },
        FLAVOR,
      );
      return;
    }
    const value = values[key];
    if (value === undefined) {
      sendText(res, 404, `metadata key not found: ${key}`, FLAVOR);
      return;
    }
    sendText(res, 200, value, FLAVOR);
  };

  const listening = await listenLocal(handle, options.port);
  const host = `127.0.0.1:${listening.port}`;
  return { host, url: `http://${host}`, requests, close: listening.close };
}
