/**
 * Big load requests, fanned out: a request that resolves to more objects than a chunk holds
 * (AUTOLOADER_REQUEST_CHUNK_OBJECTS, default 100) is not loaded in this delivery but
 * published back to the topic it came from as chunk requests, each naming its objects and a
 * deterministic chunk id (events/request-chunks.ts). Each chunk is then delivered, checked
 * and loaded on its own like any request; a chunk never fans out again.
 *
 * A crash or a failed publish part-way throws, and the redelivered parent publishes all its
 * chunks again: harmless, since every object's job id is deterministic (the second copy of a
 * chunk finds its objects `duplicate`). Once the parent is acknowledged, a chunk that fails
 * is redelivered alone: only unfinished chunks are redone.
 */
import { mapLimit } from '../../core/pool';
import { chunkRequest, parentId, shouldFanOut } from '../../events/request-chunks';
import type { OutgoingMessage } from '../../gcp/pubsub/publisher';
import type { LoadRequest } from '../../types';

export interface FanOutDeps {
  publish: (topic: string, message: OutgoingMessage) => Promise<string>;
  /** Objects per chunk: AUTOLOADER_REQUEST_CHUNK_OBJECTS (settings.ts). */
  chunkObjects: number;
}

/** The message a request came from. */
export interface ChunkSource {
  /** `projects/P/topics/T`, already checked against allow.topics. */
  topic: string;
  messageId?: string;
}

export interface FannedOut {
  /** `<parent>` of the chunk ids `<parent>/<i>of<n>`. */
  parent: string;
  chunks: number;
  objects: number;
}

/** Publishes at once: a few in flight, as the request path does with objects. */
const PUBLISH_CONCURRENCY = 8;

/** Publishes the chunks when the request is big, and says so; undefined: load it here. */
export async function fanOut(
  deps: FanOutDeps,
  request: LoadRequest,
  source: ChunkSource,
  objects: readonly { bucket: string; name: string }[],
): Promise<FannedOut | undefined> {
  if (!shouldFanOut(request, objects.length, deps.chunkObjects)) return undefined;
  const parent = parentId(source.messageId, request);
  const kind = request.retry ? 'retry' : 'load';
  const chunks = chunkRequest(parent, objects, request.route, deps.chunkObjects, kind);
  await mapLimit(chunks, PUBLISH_CONCURRENCY, (chunk) =>
    deps.publish(source.topic, { data: Buffer.from(chunk.data, 'utf8').toString('base64') }),
  );
  return { parent, chunks: chunks.length, objects: objects.length };
}
