/** md5Hash and crc32c of a file, base64 as the JSON API reports them (crc32c big-endian). */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { CRC32C } from '@google-cloud/storage';

const CHUNK = 1 << 20;

export function hashFile(path: string): { md5Hash: string; crc32c: string } {
  const md5 = createHash('md5');
  const crc = new CRC32C();
  const buf = Buffer.alloc(CHUNK);
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const part = buf.subarray(0, n);
      md5.update(part);
      crc.update(part);
    }
  } finally {
    closeSync(fd);
  }
  return { md5Hash: md5.digest('base64'), crc32c: crc.toString() };
}
