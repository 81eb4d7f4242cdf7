/**
 * The egress proxy, read from the environment as Google's own clients read it: gaxios (which
 * the edge replaced) tunnels through `HTTPS_PROXY` / `https_proxy` (else `HTTP_PROXY` /
 * `http_proxy`) unless `NO_PROXY` /
 * `no_proxy` names the host. Operators behind a corporate egress proxy and the CLI on a
 * laptop depend on it. Only `https:` URLs are proxied: plain `http:` ones are the emulators
 * and local servers, which a proxy must not see. A proxy URL may hold a password, so it is
 * never shown whole: messages and logs get `shown` (scheme, host and port).
 */
import { type Environment, envText, SettingError } from '../core/env';

export interface ProxySettings {
  /** The proxy, credentials included (sent as Proxy-Authorization). Never log it. */
  url: URL;
  /** `http://proxy.example:3128`: no credentials, no path. */
  shown: string;
  /** True when `NO_PROXY` sends this URL direct. */
  bypasses(url: URL): boolean;
}

// gaxios' order: an HTTP_PROXY alone also carries https: calls there, so tokens (fetched by
// google-auth-library through gaxios) and API calls always take the same way out.
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;
const NO_PROXY_VARIABLES = ['NO_PROXY', 'no_proxy'] as const;

/** The proxy for `https:` URLs, or undefined when none is set. */
export function proxySettings(env: Environment): ProxySettings | undefined {
  const found = firstSet(env, PROXY_VARIABLES);
  if (!found) return undefined;
  const url = proxyUrl(found.name, found.value);
  const noProxy = firstSet(env, NO_PROXY_VARIABLES)?.value ?? '';
  const bypasses = noProxyMatcher(noProxy.split(','));
  return { url, shown: `${url.protocol}//${url.host}`, bypasses };
}

function firstSet(
  env: Environment,
  names: readonly string[],
): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = envText(env, name);
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

/** A bare `host:port` is an http:// proxy, as curl reads it. The value is never echoed. */
function proxyUrl(name: string, value: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url?.hostname) {
    throw new SettingError(
      name,
      `${name} is not a proxy URL (value not shown: it may hold a password)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SettingError(
      name,
      `${name} must be an http:// or https:// proxy, got ${url.protocol}//`,
    );
  }
  return url;
}

/**
 * `NO_PROXY` entries, as gaxios, curl and Go read them (where they differ, the union):
 * - `*` sends every URL direct;
 * - `example.com` matches that host and its subdomains (curl, Go; gaxios: the host only);
 * - `.example.com` and `*.example.com` match subdomains only (gaxios, Go);
 * - `host:port` (`[::1]:443` for IPv6) matches that port only (Go, proxy-from-env);
 * - `https://host[:port]` matches that origin (gaxios).
 * Case is ignored; blanks and empty entries are skipped; there is no CIDR matching.
 */
export function noProxyMatcher(entries: readonly string[]): (url: URL) => boolean {
  const rules = entries.map((entry) => entry.trim().toLowerCase()).filter(Boolean);
  if (rules.includes('*')) return () => true;
  const matchers = rules.map(ruleMatcher);
  return (url) => matchers.some((matches) => matches(url));
}

function ruleMatcher(rule: string): (url: URL) => boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(rule)) {
    const origin = URL.canParse(rule) ? new URL(rule).origin : undefined;
    return (url) => url.origin === origin;
  }
  const { host, port } = splitPort(rule);
  const subdomainsOnly = host.startsWith('.') || host.startsWith('*.');
  const domain = host.replace(/^\*?\./, '');
  return (url) => {
    if (port !== undefined && port !== effectivePort(url)) return false;
    const name = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    if (name.endsWith(`.${domain}`)) return true;
    return !subdomainsOnly && name === domain;
  };
}

/** `host:443` → host and port; a bare IPv6 address (several colons) has no port. */
function splitPort(rule: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rule);
  if (bracketed) return { host: bracketed[1] ?? '', port: bracketed[2] };
  const withPort = /^([^:]+):(\d+)$/.exec(rule);
  if (withPort) return { host: withPort[1] ?? '', port: withPort[2] };
  return { host: rule };
}

function effectivePort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** The proxy refused or could not open the tunnel: no answer from the origin arrived. */
export class ProxyTunnelError extends Error {
  override readonly name = 'ProxyTunnelError';
  readonly code = 'EPROXYTUNNEL';

  constructor(
    proxy: string,
    target: string,
    /** The proxy's status, not the origin's. */
    readonly proxyStatus: number,
    statusText = '',
  ) {
    super(`proxy ${proxy} answered CONNECT ${target} with ${proxyStatus} ${statusText}`.trim());
  }
}
