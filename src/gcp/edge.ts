/**
 * The one edge to Google: every BigQuery, Cloud Storage and Pub/Sub request goes through
 * `call`, which adds the cached bearer token, sends over the shared keep-alive connections
 * with a timeout clipped to the retry deadline, and turns a failure into a RetryableError or
 * PermanentError (errors.ts). Retrying is the caller's (retry.ts), around `call`.
 */
import { RetryableError } from '../errors';
import {
  type EndpointChoice,
  type GoogleEndpoints,
  type GoogleService,
  googleEndpoints,
} from './endpoints';
import { classifyGoogleError } from './errors';
import { createHttpClient, type HttpAnswer, type HttpClient, type HttpMethod } from './http';
import { attemptTimeout } from './retry';
import { createTokenProvider, type TokenProvider, type TokenSource } from './token';

/** Per request, unless the caller says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface EdgeRequest {
  service: GoogleService;
  method: HttpMethod;
  url: string;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as is, with `headers` saying what it is. */
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Statuses besides 2xx that are answers, not failures (308 of resumable uploads). */
  accept?: readonly number[];
  /** What was asked, prefixed to error messages: `jobs.insert bqal_…`, `Cloud Storage gs://…`. */
  what: string;
  /** Set on the error of a call about one job. */
  jobId?: string;
  timeoutMs?: number;
  /** The retry attempt's deadline (retry.ts): the timeout is clipped to what remains. */
  deadline?: number;
}

export interface EdgeAnswer extends HttpAnswer {
  /** The body parsed as JSON; undefined when empty. */
  json(): unknown;
}

export interface GoogleEdge {
  /** Read at each call: `useEndpoints` changes them at start. */
  readonly endpoints: GoogleEndpoints;
  /**
   * Sends every later call to this universe (and location). A cold start calls it once the
   * rules and the credentials have decided (src/rules/endpoints.ts), and first, for a rules
   * file in Cloud Storage, with the environment's and credentials' universe. Until then calls
   * go where the edge was created (`GOOGLE_CLOUD_UNIVERSE_DOMAIN`, else googleapis.com).
   */
  useEndpoints(choice: EndpointChoice): void;
  readonly tokens: TokenProvider;
  /** The egress proxy of `https:` calls (HTTPS_PROXY), without credentials; logged at start. */
  readonly proxy: string | undefined;
  call(request: EdgeRequest): Promise<EdgeAnswer>;
  /** Closes idle connections. */
  close(): void;
}

export interface GoogleEdgeOptions {
  env?: NodeJS.ProcessEnv;
  /** Default: googleapis.com, global endpoints. */
  endpoints?: EndpointChoice;
  /** A GoogleAuth. Default: Application Default Credentials with `googleScopes(env)`. */
  auth?: TokenSource;
  tokens?: TokenProvider;
  http?: HttpClient;
}

export function createGoogleEdge(options: GoogleEdgeOptions = {}): GoogleEdge {
  const env = options.env ?? process.env;
  let endpoints = googleEndpoints(env, options.endpoints);
  const tokens = options.tokens ?? createTokenProvider({ auth: options.auth, env: options.env });
  const http = options.http ?? createHttpClient(env);

  async function call(request: EdgeRequest): Promise<EdgeAnswer> {
    const token = endpoints.authenticated[request.service] ? await bearer(request) : undefined;
    const headers: Record<string, string> = { ...request.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body = request.body;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
    }
    const timeoutMs = attemptTimeout(
      request.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      request.deadline,
    );
    let answer: HttpAnswer;
    try {
      answer = await http.request({
        method: request.method,
        url: request.url,
        headers,
        body,
        timeoutMs,
      });
    } catch (error) {
      throw described(classifyGoogleError(undefined, undefined, error), request) ?? error;
    }
    const { status } = answer;
    if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
      return { ...answer, json: () => parseJson(answer.body) };
    }
    if (status === 401 && token) tokens.invalidate(token);
    const error = classifyGoogleError(status, parseJson(answer.body));
    throw described(error, request);
  }

  /** A token, or a RetryableError when the credential source did not answer. */
  async function bearer(request: EdgeRequest): Promise<string> {
    try {
      return await tokens.token();
    } catch (error) {
      const status = (error as { response?: { status?: unknown } }).response?.status;
      const classified = classifyGoogleError(
        typeof status === 'number' ? status : undefined,
        undefined,
        error,
      );
      // An unknown failure (no credentials configured) is rethrown as is: the trigger
      // redelivers, and it is not retried in-process.
      if (!(classified instanceof RetryableError)) throw error;
      classified.message = `access token: ${classified.message}`;
      throw described(classified, request);
    }
  }

  return {
    get endpoints() {
      return endpoints;
    },
    useEndpoints(choice) {
      endpoints = googleEndpoints(env, choice);
    },
    tokens,
    proxy: http.proxy,
    call,
    close: () => http.close(),
  };
}

function described<E extends Error & { jobId?: string }>(
  error: E | undefined,
  request: EdgeRequest,
): E | undefined {
  if (!error) return undefined;
  error.message = `${request.what}: ${error.message}`;
  if (request.jobId !== undefined) error.jobId = request.jobId;
  return error;
}

/** JSON when it parses, else the text (an HTML error page), undefined when empty. */
function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
