/**
 * What every local server checks before anything else. They listen on 127.0.0.1, but a
 * browser on this machine can still reach them: a page can send a "simple" cross-site POST
 * (no preflight), and a rebound DNS name can make the page same-origin with the server while
 * its `Host` header still names the attacker's domain. So a request is served only when its
 * `Host` is this server's own loopback address and nothing says it comes from a web page of
 * another origin. API clients (google-auth-library, gaxios, fetch in Node) send no `Origin`.
 * Bodies are read up to a limit: these servers buffer them, and must not be made to hold
 * gigabytes.
 */
import type { IncomingMessage } from 'node:http';

/** Why the request must be refused (403), or undefined when it may be served. */
export function foreignRequest(req: IncomingMessage, port: number): string | undefined {
  const own = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = (req.headers.host ?? '').toLowerCase();
  if (!own.includes(host)) return `Host ${JSON.stringify(host)} is not this local server`;
  const origin = req.headers.origin;
  if (origin !== undefined && !own.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return `cross-origin request from ${JSON.stringify(origin)}`;
  }
  // Fetch metadata (sent by browsers): anything but a same-origin or user-typed request.
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `cross-site request (Sec-Fetch-Site: ${site})`;
  }
  return undefined;
}

/** Default body limit: above any chunk or multipart upload the loader sends by default. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than this local server's limit of ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The whole body, or BodyTooLargeError as soon as the announced or received size passes
 * `limit`. The rest is not read and the request is not destroyed, so that the caller can
 * still answer 413 (with `Connection: close`: see `refuseBody`).
 */
export function readBodyUpTo(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      reject(new BodyTooLargeError(limit));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Headers for a 413: the unread rest of the body makes the connection unusable. */
export const CLOSE = { Connection: 'close' } as const;
