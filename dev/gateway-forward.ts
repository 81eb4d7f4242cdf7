/**
 * The reverse-proxy half of the universe gateway: one request received over TLS for a public
 * host name, forwarded to the plain-http local server standing in for it, bodies streamed
 * both ways. What a front end such as nginx does with `proxy_pass`: hop-by-hop headers are
 * dropped, Host becomes the upstream's (X-Forwarded-Host/-Proto keep the public ones), and a
 * redirect or upload-session `Location` on the upstream is rewritten to the public origin
 * (nginx's `proxy_redirect default`) — a resumable upload must come back through the gateway.
 */
import {
  type Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type ServerResponse,
} from 'node:http';

/** RFC 9110 §7.6.1: meaningful for one connection only, never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface Forwarding {
  /** The public host name the client asked for (`bigquery.s3nsapis.fr`). */
  host: string;
  /** The local server's base URL; its path, if any, prefixes the request's. */
  upstream: URL;
  agent: Agent;
}

export function forward(req: IncomingMessage, res: ServerResponse, to: Forwarding): void {
  const base = to.upstream.pathname.replace(/\/+$/, '');
  const headers: OutgoingHttpHeaders = {
    ...endToEnd(req.headers),
    host: to.upstream.host,
    'x-forwarded-host': to.host,
    'x-forwarded-proto': 'https',
  };
  const outgoing = request(
    {
      protocol: to.upstream.protocol,
      hostname: to.upstream.hostname,
      port: to.upstream.port,
      method: req.method,
      path: `${base}${req.url ?? '/'}`,
      headers,
      agent: to.agent,
    },
    (answer) => {
      const back = endToEnd(answer.headers);
      const location = answer.headers.location;
      if (location) back.location = publicLocation(location, to);
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, back);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    },
  );
  outgoing.on('error', (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const text = `universe gateway: ${to.host} → ${to.upstream.origin} failed: ${error.message}\n`;
    res.writeHead(502, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  // A client that goes away mid-request or mid-answer takes the upstream exchange with it.
  req.on('error', () => outgoing.destroy());
  res.on('close', () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  req.pipe(outgoing);
}

/** The headers without hop-by-hop ones, including those the Connection header names. */
function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    kept[name] = value;
  }
  return kept;
}

/** An absolute URL on the upstream's origin, moved to the public https origin. */
function publicLocation(location: string, to: Forwarding): string {
  if (!URL.canParse(location)) return location;
  const url = new URL(location);
  if (url.origin !== to.upstream.origin) return location;
  const base = to.upstream.pathname.replace(/\/+$/, '');
  const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : url.pathname;
  return `https://${to.host}${path || '/'}${url.search}${url.hash}`;
}
