/** One object's metadata and bytes: objects.get, patch, update and delete. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http-util';
import { GcsError } from './errors';
import { sendMedia } from './media';
import type { StoredObject } from './object';
import { parseJson, patchFrom, preconditions, replaceMetadata } from './request';
import { objectResource } from './resource';
import type { RouteContext } from './route-context';

/** `download` is a /download/ path: the bytes without `alt=media`. */
export async function objectRequest(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: { bucket: string; name: string; download: boolean },
  q: URLSearchParams,
): Promise<void> {
  const { store, baseUrl, readBody } = ctx;
  const { bucket, name, download } = path;
  const method = req.method ?? 'GET';
  const generation = q.get('generation') ?? undefined;
  const resource = (o: StoredObject) => objectResource(o, baseUrl);
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
