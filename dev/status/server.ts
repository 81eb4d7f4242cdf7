/**
 * The local stack's status page server (`npm start` prints its address): GET / renders the
 * page (status/page.ts), POST /replay retries one failed object (status/replay.ts) and
 * redirects back. It listens on 127.0.0.1 behind the same Host / Origin / Sec-Fetch-Site
 * checks as every local server (dev/local-guard.ts): another site's page cannot press the
 * button, and a rebound DNS name cannot read the page.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, readBody, sendText } from '../http-util';
import { BodyTooLargeError, CLOSE } from '../local-guard';
import type { LocalLoader } from '../local-loader';
import { clock } from '../pretty-log';
import { collectStatus } from './collect';
import { renderStatusPage } from './page';
import { replayObject } from './replay';

export interface StatusServerOptions {
  loader: LocalLoader;
  /** The local BigQuery (`http://127.0.0.1:PORT`), for table row counts. */
  bigqueryUrl: string;
  /** Default 0: any free port. */
  port?: number;
  /** Seconds between the page's own reloads; 0: none. Default 5. */
  refreshSeconds?: number;
}

export interface StatusServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A replay form is one short field; anything bigger is not from the page. */
const MAX_FORM_BYTES = 16 * 1024;
const MAX_NOTICES = 10;
const SECURITY_HEADERS = {
  // No script at all; styles inline; forms post only back here; never framed.
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  // Not `no-referrer`: under it the form's POST carries `Origin: null`, which the guard refuses.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const notices: string[] = [];
  const remember = (notice: string) => {
    notices.unshift(`${clock(new Date())}  ${notice}`);
    notices.length = Math.min(notices.length, MAX_NOTICES);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      const model = await collectStatus(options.loader, options.bigqueryUrl, notices);
      const html = renderStatusPage(model, options.refreshSeconds ?? 5);
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=UTF-8',
        'Content-Length': Buffer.byteLength(html),
        ...SECURITY_HEADERS,
      });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    if (path === '/replay' && req.method === 'POST') {
      const type = req.headers['content-type'] ?? '';
      if (!type.startsWith('application/x-www-form-urlencoded')) {
        sendText(
          res,
          415,
          'POST /replay takes the page form (application/x-www-form-urlencoded)\n',
        );
        return;
      }
      const form = new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8'));
      const object = form.get('object');
      remember(
        object
          ? await replayObject(options.loader, object)
          : 'replay refused: the form names no object',
      );
      // Post/redirect/get: reloading the page does not replay again.
      res.writeHead(303, { Location: '/', 'Content-Length': 0, ...SECURITY_HEADERS });
      res.end();
      return;
    }
    sendText(
      res,
      path === '/' || path === '/replay' ? 405 : 404,
      `no ${req.method} ${path} here\n`,
    );
  }

  const listening = await listenLocal((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof BodyTooLargeError) {
        sendText(res, 413, `${error.message}\n`, CLOSE);
        return;
      }
      sendText(
        res,
        500,
        `status page error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  }, options.port ?? 0).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new Error(
      `the status page cannot listen on 127.0.0.1:${options.port}: the port is in use; set AUTOLOADER_STATUS_PORT to a free port, or leave it unset for any free one`,
    );
  });
  return {
    url: `http://127.0.0.1:${listening.port}/`,
    port: listening.port,
    close: () => listening.close(),
  };
}
