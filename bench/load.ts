/**
 * The load generator: finalize CloudEvents (binary mode, as Eventarc pushes them) over
 * keep-alive connections at a fixed concurrency, bounded in count and in time. Every event
 * names a new object generation, so no run hits the duplicate path.
 */
import { Agent, request } from 'node:http';

export const BUCKET = 'bench-landing';
let sequence = 0;

/** One Eventarc finalize event for a new object; int64s as strings, as in real events. */
export function finalizeEvent(): { headers: Record<string, string>; body: string } {
  const n = ++sequence;
  const name = `sales/eu/file-${n}.csv`;
  const body = JSON.stringify({
    kind: 'storage#object',
    bucket: BUCKET,
    name,
    generation: String(1_700_000_000_000_000 + n),
    metageneration: '1',
    size: '1024',
    contentType: 'text/csv',
    timeCreated: '2026-11-28T10:00:00.000Z',
    updated: '2026-11-28T10:00:00.000Z',
  });
  return {
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${BUCKET}`,
      'ce-subject': `objects/${name}`,
      'ce-id': `bench-${n}`,
      'ce-time': '2026-11-28T10:00:00.000Z',
    },
    body,
  };
}

/** POSTs one event; resolves with the HTTP status. */
export function sendEvent(url: string, agent?: Agent): Promise<number> {
  const event = finalizeEvent();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: event.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(event.body);
  });
}

export interface LoadResult {
  events: number;
  failed: number;
  elapsedMs: number;
}

/** Sends events at `concurrency` until `maxEvents` are answered or `maxMs` have passed. */
export async function runLoad(
  url: string,
  concurrency: number,
  maxEvents: number,
  maxMs: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(maxMs) * 1_000_000n;
  let issued = 0;
  let events = 0;
  let failed = 0;
  const worker = async () => {
    while (issued < maxEvents && process.hrtime.bigint() < deadline) {
      issued++;
      const status = await sendEvent(url, agent);
      events++;
      if (status < 200 || status >= 300) failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  agent.destroy();
  return { events, failed, elapsedMs };
}
