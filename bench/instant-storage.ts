/**
 * A Cloud Storage JSON API stand-in that answers object requests at once: bq-autoloader
 * writes a "claimed" marker on each object before jobs.insert (a metadata PATCH with
 * ifGenerationMatch / ifMetagenerationMatch) and may read the object back (GET) to recognize
 * its own earlier claim on a redelivery, so its per-event cost includes those requests. The
 * last patch of each object is remembered for that GET; objects never patched are answered
 * as new (generation from the request, metageneration 1). Anything else gets 404.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/patch
 * https://cloud.google.com/storage/docs/json_api/v1/objects/get
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, readBody, sendJson } from '../dev/http-util';

export interface InstantStorage {
  /** The value for STORAGE_EMULATOR_HOST. */
  emulatorHost: string;
  /** Metadata patches answered so far. */
  patches(): number;
  /** Object reads answered so far. */
  reads(): number;
  close(): Promise<void>;
}

const OBJECT = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/;

interface Known {
  generation: string;
  metageneration: number;
  metadata: Record<string, unknown>;
}

/** The metadata after a patch: keys set to null are removed (JSON merge patch). */
export function mergeMetadata(
  before: Record<string, unknown>,
  patch: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const after: Record<string, unknown> = { ...before };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete after[k];
    else after[k] = v;
  }
  return after;
}

export async function startInstantStorage(): Promise<InstantStorage> {
  let patches = 0;
  let reads = 0;
  // Bounded by the events of one benchmark run (a few tens of thousands).
  const known = new Map<string, Known>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://storage');
    const body = await readBody(req);
    const match = OBJECT.exec(url.pathname);
    if (!match || (req.method !== 'PATCH' && req.method !== 'GET')) {
      sendJson(res, 404, {
        error: { code: 404, message: `no route ${req.method} ${url.pathname}` },
      });
      return;
    }
    const bucket = decodeURIComponent(match[1] ?? '');
    const name = decodeURIComponent(match[2] ?? '');
    const q = url.searchParams;
    const before = known.get(`${bucket}/${name}`) ?? {
      generation: q.get('ifGenerationMatch') ?? q.get('generation') ?? '1',
      metageneration: 1,
      metadata: {},
    };
    let object = before;
    if (req.method === 'PATCH') {
      patches++;
      const patch = JSON.parse(body.toString('utf8') || '{}') as {
        metadata?: Record<string, unknown>;
      };
      object = {
        generation: before.generation,
        metageneration: before.metageneration + 1,
        metadata: mergeMetadata(before.metadata, patch.metadata),
      };
      known.set(`${bucket}/${name}`, object);
    } else {
      reads++;
    }
    sendJson(res, 200, {
      kind: 'storage#object',
      bucket,
      name,
      generation: object.generation,
      metageneration: String(object.metageneration),
      size: '1024',
      contentType: 'text/csv',
      timeCreated: '2026-11-28T10:00:00.000Z',
      updated: '2026-11-28T10:00:00.000Z',
      metadata: object.metadata,
    });
  };
  const listening = await listenLocal((req, res) => {
    handle(req, res).catch((error: unknown) => {
      sendJson(res, 500, { error: { code: 500, message: String(error) } });
    });
  });
  return {
    emulatorHost: `http://127.0.0.1:${listening.port}/storage/v1`,
    patches: () => patches,
    reads: () => reads,
    close: listening.close,
  };
}
