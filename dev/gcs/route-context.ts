/** What the local GCS server's route handlers share. */
import type { IncomingMessage } from 'node:http';
import type { GcsStore } from './store';
import type { ResumableSessions } from './uploads';

export interface RouteContext {
  store: GcsStore;
  sessions: ResumableSessions;
  /** `http://127.0.0.1:PORT`, known once the server listens; resources link to it. */
  baseUrl: string;
  /** The whole request body, refused past the server's limit (BodyTooLargeError). */
  readBody(req: IncomingMessage): Promise<Buffer>;
}
