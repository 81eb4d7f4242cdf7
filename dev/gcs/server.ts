/**
 * A local Cloud Storage JSON API server over a folder (see store.ts for the layout), enough for
 * @google-cloud/storage 7 and plain REST callers: objects get/list/insert/patch/delete,
 * rewrite/copy/move, simple, multipart and resumable uploads, buckets get/list/insert.
 * https://cloud.google.com/storage/docs/json_api/v1
 * Set `STORAGE_EMULATOR_HOST` to `emulatorHost` (the client uses it verbatim as API base).
 */
import { closeSync, createReadStream, openSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip } from 'node:zlib';
import { listenLocal, readBody as readWholeBody, sendJson } from '../http-util';
import { BodyTooLargeError, CLOSE, DEFAULT_MAX_BODY_BYTES } from '../local-guard';
import { GcsError, invalid } from './errors';
import { bucketResource, objectResource } from './resource';
import {
  ATTRIBUTE_KEYS,
  type AttributePatch,
  GcsStore,
  type ObjectAttributes,
  type Preconditions,
  type StoredObject,
} from './store';
import { parseMultipart, ResumableSessions } from './uploads';

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
  const sessions = new ResumableSessions();
  let baseUrl = '';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const readBody = (req: IncomingMessage) => readWholeBody(req, maxBodyBytes);
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
  baseUrl = `http://127.0.0.1:${listening.port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const q = url.searchParams;
    // Split the raw path: object names arrive URL-encoded (`a%2Fb.csv`), one segment each.
    const segments = url.pathname.split('/').filter((s, i) => i > 0 || s !== '');
    const method = req.method ?? 'GET';
    const resource = (o: StoredObject) => objectResource(o, baseUrl);

    if (segments[0] === 'upload' && segments[1] === 'storage' && segments[2] === 'v1') {
      await upload(req, res, segments.slice(3), q);
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
    const generation = q.get('generation') ?? undefined;

    if (action >= 0) {
      const verb = objectSegments[action];
      const target = objectSegments.slice(action + 1);
      const overrides = attributesFrom(parseJson(await readBody(req)));
      if (verb === 'moveTo') {
        if (target[0] !== 'o' || target.length < 2) throw invalid('moveTo needs /moveTo/o/NAME');
        const targetName = decodeURIComponent(target.slice(1).join('/'));
        const moved = store.move(
          bucket,
          name,
          targetName,
          preconditions(q),
          sourcePreconditions(q),
        );
        sendJson(res, 200, resource(moved));
        return;
      }
      if (target[0] !== 'b' || target[2] !== 'o' || target.length < 4)
        throw invalid(`${verb} needs /${verb}/b/BUCKET/o/NAME`);
      const copied = store.copy(
        { bucket, name, generation: q.get('sourceGeneration') ?? undefined },
        {
          bucket: decodeURIComponent(target[1] ?? ''),
          name: decodeURIComponent(target.slice(3).join('/')),
        },
        overrides,
        preconditions(q),
        sourcePreconditions(q),
      );
      if (verb === 'copyTo') {
        sendJson(res, 200, resource(copied));
        return;
      }
      sendJson(res, 200, {
        kind: 'storage#rewriteResponse',
        totalBytesRewritten: copied.size,
        objectSize: copied.size,
        done: true,
        resource: resource(copied),
      });
      return;
    }

    switch (method) {
      case 'GET': {
        const object = store.get(bucket, name, generation, preconditions(q));
        if (download || q.get('alt') === 'media')
          sendMedia(req, res, store.objectPath(bucket, name), object);
        else sendJson(res, 200, resource(object));
        return;
      }
      case 'PATCH':
      case 'PUT': {
        const body = parseJson(await readBody(req));
        const object = store.get(bucket, name, generation);
        const patch = patchFrom(body);
        if (method === 'PUT') {
          // objects.update replaces every writable attribute: absent ones are cleared.
          for (const key of [
            'contentType',
            'contentEncoding',
            'cacheControl',
            'contentDisposition',
            'contentLanguage',
          ] as const) {
            if (!(key in body)) patch[key] = null;
          }
          patch.metadata = body.metadata ? replaceMetadata(object.metadata, patch.metadata) : null;
        }
        sendJson(res, 200, resource(store.patch(bucket, name, patch, preconditions(q))));
        return;
      }
      case 'DELETE':
        store.delete(bucket, name, generation, preconditions(q));
        res.writeHead(204).end();
        return;
      default:
        throw new GcsError(405, 'invalid', `method ${method} not supported on objects`);
    }
  }

  async function upload(
    req: IncomingMessage,
    res: ServerResponse,
    path: string[],
    q: URLSearchParams,
  ): Promise<void> {
    if (path[0] !== 'b' || path[2] !== 'o' || path.length !== 3)
      throw invalid('uploads go to /upload/storage/v1/b/BUCKET/o');
    const bucket = decodeURIComponent(path[1] ?? '');
    const uploadType = q.get('uploadType') ?? 'media';
    const method = req.method ?? 'POST';

    const uploadId = q.get('upload_id');
    if (uploadId) {
      const session = sessions.get(uploadId);
      if (!session) throw new GcsError(404, 'notFound', `no resumable upload session ${uploadId}`);
      if (method === 'DELETE') {
        sessions.cancel(uploadId);
        res.writeHead(499).end();
        return;
      }
      const result = sessions.put(session, header(req, 'content-range'), await readBody(req));
      if (!result.complete) {
        const range = result.received > 0 ? { Range: `bytes=0-${result.received - 1}` } : {};
        res.writeHead(308, { ...range, 'Content-Length': '0' }).end();
        return;
      }
      sessions.finish(uploadId);
      const object = store.insertFile(
        session.bucket,
        session.name,
        session.tmpPath,
        session.attributes,
        session.conditions,
      );
      sendJson(res, 200, objectResource(object, baseUrl));
      return;
    }

    const body = await readBody(req);
    if (uploadType === 'resumable') {
      const metadata = body.length > 0 ? parseJson(body) : {};
      const name = q.get('name') ?? String(metadata.name ?? '');
      store.objectPath(bucket, name); // validates names before the client sends any bytes
      const attributes = attributesFrom(metadata);
      attributes.contentType ??= header(req, 'x-upload-content-type');
      const session = sessions.open({
        bucket,
        name,
        attributes,
        conditions: preconditions(q),
        tmpPath: store.tempPath(),
      });
      const location = `${baseUrl}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${session.id}`;
      res.writeHead(200, { Location: location, 'Content-Length': '0' }).end();
      return;
    }

    let name = q.get('name') ?? '';
    let attributes: ObjectAttributes;
    let data: Buffer;
    if (uploadType === 'multipart') {
      const parts = parseMultipart(body, header(req, 'content-type') ?? '');
      name ||= String(parts.metadata.name ?? '');
      attributes = attributesFrom(parts.metadata);
      attributes.contentType ??= parts.dataType;
      data = parts.data;
    } else if (uploadType === 'media') {
      attributes = {
        contentType: header(req, 'content-type'),
        contentEncoding: q.get('contentEncoding') ?? undefined,
      };
      data = body;
    } else {
      throw invalid(`uploadType ${uploadType} is not supported locally`);
    }
    if (!name) throw new GcsError(400, 'required', 'an upload needs the object name');
    sendJson(
      res,
      200,
      objectResource(store.insert(bucket, name, data, attributes, preconditions(q)), baseUrl),
    );
  }

  return {
    url: baseUrl,
    emulatorHost: `${baseUrl}/storage/v1`,
    store,
    close: listening.close,
  };
}

/**
 * Serves the stored bytes. A gzip-encoded object goes out as is with `Content-Encoding: gzip` to
 * a client that accepts gzip, and decompressed to one that does not (decompressive transcoding):
 * https://cloud.google.com/storage/docs/transcoding
 */
function sendMedia(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  object: StoredObject,
): void {
  const size = Number(object.size);
  // Opened before any header is written: an object deleted since its metadata was read (a
  // concurrent delete or move) is a 404, not an unhandled stream error and a hung answer.
  const fd = openMedia(path, object);
  const stream = (range?: { start: number; end: number }) =>
    createReadStream(path, { fd, ...range }).on('error', () => res.destroy());
  const headers: Record<string, string> = {
    'Content-Type': object.contentType ?? 'application/octet-stream',
    'x-goog-generation': object.generation,
    'x-goog-metageneration': object.metageneration,
    'x-goog-stored-content-length': object.size,
    'x-goog-stored-content-encoding': object.contentEncoding ?? 'identity',
  };
  if (object.contentEncoding === 'gzip') {
    if (/\bgzip\b/.test(header(req, 'accept-encoding') ?? '')) {
      res.writeHead(200, {
        ...headers,
        'Content-Encoding': 'gzip',
        'Content-Length': object.size,
        'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
      });
      stream().pipe(res);
    } else {
      // No hash: it describes the stored (compressed) bytes, not these.
      res.writeHead(200, headers);
      stream()
        .pipe(createGunzip())
        .on('error', () => res.destroy())
        .pipe(res);
    }
    return;
  }
  headers['x-goog-hash'] = `crc32c=${object.crc32c},md5=${object.md5Hash}`;
  const range = /^bytes=(\d*)-(\d*)$/.exec(header(req, 'range') ?? '');
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size || end < start) {
      closeSync(fd);
      throw new GcsError(416, 'requestedRangeNotSatisfiable', `range ${range[0]} of ${size} bytes`);
    }
    res.writeHead(206, {
      ...headers,
      'Content-Length': String(end - start + 1),
      'Content-Range': `bytes ${start}-${end}/${size}`,
    });
    stream({ start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': object.size });
  if (size === 0) {
    stream().destroy();
    res.end();
  } else stream().pipe(res);
}

function openMedia(path: string, object: StoredObject): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new GcsError(404, 'notFound', `No such object: ${object.bucket}/${object.name}`);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw invalid('the request body is not a JSON object');
}

function attributesFrom(body: Record<string, unknown>): ObjectAttributes {
  const out: ObjectAttributes = {};
  for (const key of ATTRIBUTE_KEYS) if (typeof body[key] === 'string') out[key] = body[key];
  const metadata = body.metadata;
  if (metadata && typeof metadata === 'object') {
    out.metadata = Object.fromEntries(
      Object.entries(metadata as Record<string, unknown>)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
  }
  return out;
}

function patchFrom(body: Record<string, unknown>): AttributePatch {
  const patch: AttributePatch = {};
  for (const key of ATTRIBUTE_KEYS) {
    const value = body[key];
    if (value === null) patch[key] = null;
    else if (typeof value === 'string') patch[key] = value;
  }
  if (body.metadata === null) patch.metadata = null;
  else if (body.metadata && typeof body.metadata === 'object') {
    patch.metadata = Object.fromEntries(
      Object.entries(body.metadata as Record<string, unknown>).map(([k, v]) => [
        k,
        v === null || v === undefined ? null : String(v),
      ]),
    );
  }
  return patch;
}

/** For objects.update: every existing key not in the new map is removed. */
function replaceMetadata(
  existing: Record<string, string> | undefined,
  next: Record<string, string | null> | null | undefined,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const key of Object.keys(existing ?? {})) out[key] = null;
  return { ...out, ...next };
}

function preconditions(q: URLSearchParams): Preconditions {
  return {
    ifGenerationMatch: q.get('ifGenerationMatch') ?? undefined,
    ifGenerationNotMatch: q.get('ifGenerationNotMatch') ?? undefined,
    ifMetagenerationMatch: q.get('ifMetagenerationMatch') ?? undefined,
    ifMetagenerationNotMatch: q.get('ifMetagenerationNotMatch') ?? undefined,
  };
}

function sourcePreconditions(q: URLSearchParams): Preconditions {
  return {
    ifGenerationMatch: q.get('ifSourceGenerationMatch') ?? undefined,
    ifGenerationNotMatch: q.get('ifSourceGenerationNotMatch') ?? undefined,
    ifMetagenerationMatch: q.get('ifSourceMetagenerationMatch') ?? undefined,
    ifMetagenerationNotMatch: q.get('ifSourceMetagenerationNotMatch') ?? undefined,
  };
}
