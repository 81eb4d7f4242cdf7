/** objects.get with `alt=media` (and /download/): the stored bytes, ranges and transcoding. */
import { closeSync, createReadStream, openSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip } from 'node:zlib';
import { GcsError } from './errors';
import type { StoredObject } from './object';
import { header } from './request';

/**
 * Serves the stored bytes. A gzip-encoded object goes out as is with `Content-Encoding: gzip` to
 * a client that accepts gzip, and decompressed to one that does not (decompressive transcoding):
 * https://cloud.google.com/storage/docs/transcoding
 */
export function sendMedia(
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
