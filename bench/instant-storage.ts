/**
 * A Cloud Storage JSON API stand-in that answers object metadata patches at once:
 * bq-autoloader writes a "submitted" marker on every object it loads (src/pipeline/sweep-event.ts),
 * so its per-event cost includes that PATCH. Any other request gets 404.
 * https://cloud.google.com/storage/docs/json_api/v1/objects/patch
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, readBody, sendJson } from '../dev/http-util';

export interface InstantStorage {
  /** The value for STORAGE_EMULATOR_HOST. */
  emulatorHost: string;
  /** Metadata patches answered so far. */
  patches(): number;
  close(): Promise<void>;
}

const OBJECT = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/;

export async function startInstantStorage(): Promise<InstantStorage> {
  let patches = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://storage');
    const body = await readBody(req);
    const match = OBJECT.exec(url.pathname);
    if (req.method !== 'PATCH' || !match) {
      sendJson(res, 404, {
        error: { code: 404, message: `no route ${req.method} ${url.pathname}` },
      });
      return;
    }
    patches++;
    const patch = JSON.parse(body.toString('utf8') || '{}') as { metadata?: unknown };
    const metageneration = Number(url.searchParams.get('ifMetagenerationMatch') ?? '1') + 1;
    sendJson(res, 200, {
      kind: 'storage#object',
      bucket: decodeURIComponent(match[1] ?? ''),
      name: decodeURIComponent(match[2] ?? ''),
      generation: url.searchParams.get('ifGenerationMatch') ?? '1',
      metageneration: String(metageneration),
      metadata: patch.metadata ?? {},
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
    close: listening.close,
  };
}
