/** Simple (media), multipart and resumable uploads: /upload/storage/v1/b/BUCKET/o. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http-util';
import { GcsError, invalid } from './errors';
import type { ObjectAttributes } from './object';
import { attributesFrom, header, parseJson, preconditions } from './request';
import { objectResource } from './resource';
import type { RouteContext } from './route-context';
import { parseMultipart } from './uploads';

export async function upload(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string[],
  q: URLSearchParams,
): Promise<void> {
  const { store, sessions, baseUrl, readBody } = ctx;
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
