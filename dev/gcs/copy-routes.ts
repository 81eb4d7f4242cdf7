/** objects.rewrite, objects.copy (to any bucket) and objects.move (within the bucket). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http-util';
import { invalid } from './errors';
import type { StoredObject } from './object';
import { attributesFrom, parseJson, preconditions, sourcePreconditions } from './request';
import { objectResource } from './resource';
import type { RouteContext } from './route-context';

/** `verb` is rewriteTo, copyTo or moveTo; `target` the path segments after it. */
export async function copyOrMove(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  source: { bucket: string; name: string; verb: string; target: string[] },
  q: URLSearchParams,
): Promise<void> {
  const { store, baseUrl, readBody } = ctx;
  const { bucket, name, verb, target } = source;
  const resource = (o: StoredObject) => objectResource(o, baseUrl);
  const overrides = attributesFrom(parseJson(await readBody(req)));
  if (verb === 'moveTo') {
    if (target[0] !== 'o' || target.length < 2) throw invalid('moveTo needs /moveTo/o/NAME');
    const targetName = decodeURIComponent(target.slice(1).join('/'));
    const moved = store.move(bucket, name, targetName, preconditions(q), sourcePreconditions(q));
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
}
