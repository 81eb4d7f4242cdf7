/** The egress proxy settings, read as gaxios, curl and Go read HTTPS_PROXY and NO_PROXY. */
import { SettingError } from '../../../src/core/env';
import { noProxyMatcher, proxySettings } from '../../../src/gcp/proxy';

describe('proxySettings', () => {
  it('is undefined when no proxy variable is set (empty counts as unset)', () => {
    expect(proxySettings({})).toBeUndefined();
    expect(proxySettings({ HTTPS_PROXY: '', HTTP_PROXY: '' })).toBeUndefined();
  });

  it('falls back to HTTP_PROXY, then http_proxy, as gaxios does for https: calls', () => {
    expect(proxySettings({ HTTPS_PROXY: '', HTTP_PROXY: 'http://p:1' })?.shown).toBe('http://p:1');
    expect(proxySettings({ http_proxy: 'http://q:2' })?.shown).toBe('http://q:2');
    expect(proxySettings({ https_proxy: 'http://s:3', HTTP_PROXY: 'http://p:1' })?.shown).toBe(
      'http://s:3',
    );
  });

  it('reads HTTPS_PROXY before https_proxy, and shows it without credentials or path', () => {
    const upper = proxySettings({
      HTTPS_PROXY: 'http://user:s%40cret@Proxy.Corp:3128/ignored',
      https_proxy: 'http://other:1',
    });
    expect(upper?.shown).toBe('http://proxy.corp:3128');
    expect(upper?.url.password).toBe('s%40cret');
    expect(proxySettings({ https_proxy: 'https://proxy.corp' })?.shown).toBe('https://proxy.corp');
  });

  it('reads a bare host:port as an http:// proxy, as curl does', () => {
    expect(proxySettings({ HTTPS_PROXY: 'proxy.corp:3128' })?.shown).toBe('http://proxy.corp:3128');
  });

  it.each([
    ['HTTPS_PROXY', 'socks5://user:s3cret@proxy:1080', /must be an http:\/\/ or https:\/\/ proxy/],
    ['https_proxy', 'http://user:s3cret@', /is not a proxy URL/],
  ])('refuses %s=%s naming the variable, never echoing the value', (name, value, message) => {
    const read = () => proxySettings({ [name]: value });
    expect(read).toThrow(SettingError);
    expect(read).toThrow(message);
    expect(read).toThrow(new RegExp(`^${name} `));
    expect(read).not.toThrow(/s3cret/);
  });

  it('reads NO_PROXY before no_proxy', () => {
    const proxy = proxySettings({ HTTPS_PROXY: 'p:1', NO_PROXY: 'a.test', no_proxy: 'b.test' });
    expect(proxy?.bypasses(new URL('https://a.test'))).toBe(true);
    expect(proxy?.bypasses(new URL('https://b.test'))).toBe(false);
    const lower = proxySettings({ HTTPS_PROXY: 'p:1', no_proxy: 'b.test' });
    expect(lower?.bypasses(new URL('https://b.test'))).toBe(true);
  });
});

describe('noProxyMatcher', () => {
  const bypasses = (noProxy: string, url: string) =>
    noProxyMatcher(noProxy.split(','))(new URL(url));

  it.each([
    // An exact host, in any case, and its subdomains (curl, Go).
    ['storage.s3nsapis.fr', 'https://storage.s3nsapis.fr/x', true],
    ['STORAGE.s3nsapis.fr', 'https://storage.S3NSAPIS.fr/x', true],
    ['s3nsapis.fr', 'https://bigquery.s3nsapis.fr/x', true],
    ['s3nsapis.fr', 'https://s3nsapis.fr/x', true],
    ['s3nsapis.fr', 'https://nots3nsapis.fr/x', false],
    ['storage.s3nsapis.fr', 'https://bigquery.s3nsapis.fr/x', false],
    // A leading dot or `*.`: subdomains only (gaxios, Go).
    ['.s3nsapis.fr', 'https://bigquery.s3nsapis.fr/x', true],
    ['*.s3nsapis.fr', 'https://bigquery.europe-west9.rep.s3nsapis.fr/x', true],
    ['.s3nsapis.fr', 'https://s3nsapis.fr/x', false],
    ['*.s3nsapis.fr', 'https://s3nsapis.fr/x', false],
    // Everything.
    ['*', 'https://bigquery.googleapis.com/x', true],
    // An optional port, compared with the URL's effective one.
    ['bigquery.googleapis.com:443', 'https://bigquery.googleapis.com/x', true],
    ['bigquery.googleapis.com:8443', 'https://bigquery.googleapis.com/x', false],
    ['localhost:8443', 'https://localhost:8443/x', true],
    ['.internal:443', 'https://metadata.internal/x', true],
    // IP addresses, IPv6 with or without brackets.
    ['127.0.0.1', 'https://127.0.0.1:9443/x', true],
    ['::1', 'https://[::1]:9443/x', true],
    ['[::1]:9443', 'https://[::1]:9443/x', true],
    ['[::1]:443', 'https://[::1]:9443/x', false],
    // An origin (gaxios).
    ['https://bigquery.googleapis.com', 'https://bigquery.googleapis.com/x', true],
    ['https://bigquery.googleapis.com:8443', 'https://bigquery.googleapis.com/x', false],
    // Lists: blanks and empty entries are skipped.
    [' example.org , , .s3nsapis.fr ', 'https://storage.s3nsapis.fr/x', true],
    ['', 'https://storage.s3nsapis.fr/x', false],
    ['example.org', 'https://storage.s3nsapis.fr/x', false],
  ])('NO_PROXY=%j for %s: %s', (noProxy, url, expected) => {
    expect(bypasses(noProxy, url)).toBe(expected);
  });
});
