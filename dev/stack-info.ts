/** Where `npm start` tells other commands (`bq-autoloader local query`) how to reach it. */
import { join } from 'node:path';

export interface LocalStackInfo {
  project: string;
  functionUrl: string;
  bigqueryUrl: string;
  gcsUrl: string;
  metadataHost: string;
  config: string;
  /** The status page (dev/status/server.ts). */
  statusUrl: string;
}

export function stackFile(localDir: string): string {
  return join(localDir, 'stack.json');
}
