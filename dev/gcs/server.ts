/**
 * A local Cloud Storage JSON API server over a folder (see layout.ts for the layout), enough for
 * @google-cloud/storage 7 and plain REST callers: objects get/list/insert/patch/delete,
 * rewrite/copy/move, simple, multipart and resumable uploads, buckets get/list/insert.
 * https://cloud.google.com/storage/docs/json_api/v1
 * Set `STORAGE_EMULATOR_HOST` to `emulatorHost` (the client uses it verbatim as API base).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, readBody as readWholeBody, sendJson } from '../http-util';
import { BodyTooLargeError, CLOSE, DEFAULT_MAX_BODY_BYTES } from '../local-guard';
import { copyOrMove } from './copy-routes';
import { GcsError } from './errors';
import type { StoredObject } from './object';
import { objectRequest } from './object-routes';
import { parseJson } from './request';
import { bucketResource, objectResource } from './resource';
import type { RouteContext } from './route-context';
import { GcsStore } from './store';
import { upload } from './upload-routes';
import { ResumableSessions } from './uploads';

export interface GcsServerOptions {
  rootDir: string;
  port?: number;
  /** Largest request body (a media upload, one resumable chunk) buffered; default 64 MiB. */
  maxBodyBytes?: number;
}

export interface GcsServer {
  /** `http://127.0.0.1:PORT` (pass as `apiEndpoint`). */
  url: string;
  /** `http://127.0.0.1:PORT/storage/v1`, the value for `STORAGE_EMULATOR_HOST`. */
  emulatorHost: string;
  store: GcsStore;
  close(): Promise<void>;
}

export async function startGcsServer(options: GcsServerOptions): Promise<GcsServer> {
  const store = new GcsStore(options.rootDir);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const readBody = (req: IncomingMessage) => readWholeBody(req, maxBodyBytes);
  const routes: RouteContext = {
    store,
    sessions: new ResumableSessions(),
    baseUrl: '',
    readBody,
  };
  const listening = await listenLocal((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLargeError) {
        sendJson(res, 413, new GcsError(413, 'uploadTooLarge', err.message).toBody(), CLOSE);
        return;
      }
      if (err instanceof GcsError) {
        sendJson(res, err.code, err.toBody());
        return;
      }
      process.stderr.write(
        `local GCS: ${req.method} ${req.url} failed: ${(err as Error).stack ?? err}\n`,
      );
      if (!res.headersSent)
        sendJson(res, 500, new GcsError(500, 'backendError', String(err)).toBody());
      else res.destroy();
    });
  }, options.port);
  const baseUrl = `http://127.0.0.1:${listening.port}`;
  routes.baseUrl = baseUrl;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const q = url.searchParams;
    // Split the raw path: object names arrive URL-encoded (`a%2Fb.csv`), one segment each.
    const segments = url.pathname.split('/').filter((s, i) => i > 0 || s !== '');
    const method = req.method ?? 'GET';
    const resource = (o: StoredObject) => objectResource(o, baseUrl);

    if (segments[0] === 'upload' && segments[1] === 'storage' && segments[2] === 'v1') {
      await upload(routes, req, res, segments.slice(3), q);
      return;
    }
    const download = segments[0] === 'download';
    const api = download ? segments.slice(1) : segments;
    if (api[0] !== 'storage' || api[1] !== 'v1' || api[2] !== 'b') {
      throw new GcsError(404, 'notFound', `unknown path ${url.pathname}`);
    }
    const rest = api.slice(3);

    if (rest.length === 0) {
      if (method === 'GET') {
        sendJson(res, 200, {
          kind: 'storage#buckets',
          items: store.listBuckets().map((b) => bucketResource(b, baseUrl)),
        });
        return;
      }
      if (method === 'POST') {
        const body = parseJson(await readBody(req));
        const name = String(body.name ?? '');
        store.createBucket(name);
        sendJson(res, 200, bucketResource(name, baseUrl));
        return;
      }
    }
    const bucket = decodeURIComponent(rest[0] ?? '');
    if (rest.length === 1 && method === 'GET') {
      if (!store.bucketExists(bucket))
        throw new GcsError(404, 'notFound', `The specified bucket does not exist: ${bucket}`);
      sendJson(res, 200, bucketResource(bucket, baseUrl));
      return;
    }
    if (rest[1] !== 'o') throw new GcsError(404, 'notFound', `unknown path ${url.pathname}`);

    if (rest.length === 2 && method === 'GET') {
      const page = store.list(bucket, {
        prefix: q.get('prefix') ?? undefined,
        delimiter: q.get('delimiter') ?? undefined,
        startOffset: q.get('startOffset') ?? undefined,
        endOffset: q.get('endOffset') ?? undefined,
        matchGlob: q.get('matchGlob') ?? undefined,
        maxResults: q.has('maxResults') ? Number(q.get('maxResults')) : undefined,
        pageToken: q.get('pageToken') ?? undefined,
      });
      sendJson(res, 200, {
        kind: 'storage#objects',
        items: page.items.map(resource),
        prefixes: page.prefixes,
        ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
      });
      return;
    }

    const objectSegments = rest.slice(2);
    const action =
      method === 'POST'
        ? objectSegments.findIndex((s) => ['rewriteTo', 'copyTo', 'moveTo'].includes(s))
        : -1;
    const name = decodeURIComponent(
      (action >= 0 ? objectSegments.slice(0, action) : objectSegments).join('/'),
    );
    if (action >= 0) {
      const verb = objectSegments[action] ?? '';
      const target = objectSegments.slice(action + 1);
      await copyOrMove(routes, req, res, { bucket, name, verb, target }, q);
      return;
    }
    await objectRequest(routes, req, res, { bucket, name, download }, q);
  }

  return {
    url: baseUrl,
    emulatorHost: `${baseUrl}/storage/v1`,
    store,
    close: listening.close,
  };
}
