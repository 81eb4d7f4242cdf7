/**
 * A throwaway certificate authority and one server certificate for local TLS, made with the
 * `openssl` CLI (no library in the tree makes X.509 certificates). A client trusts it through
 * `NODE_EXTRA_CA_CERTS=<caFile>`, which Node reads at start-up: the client's own TLS checks
 * (chain, host name, SNI) then run unchanged, with no test-only code path.
 * The config-file form of every openssl command works with OpenSSL 1.1+, 3.x and LibreSSL.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TestCa {
  /** The CA certificate (PEM): the value for `NODE_EXTRA_CA_CERTS`. */
  caFile: string;
  /** The server's certificate and key (PEM), for `https.createServer`. */
  cert: string;
  key: string;
  /** The temporary folder holding every file; `remove()` deletes it. */
  dir: string;
  remove(): Promise<void>;
}

/** Host names as certificates carry them (SAN dNSName): letters, digits, hyphens, dots. */
const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** A CA and a server certificate whose subject alternative names are exactly `hostnames`. */
export async function createTestCa(hostnames: readonly string[]): Promise<TestCa> {
  if (hostnames.length === 0) throw new Error('a test certificate needs at least one host name');
  const bad = hostnames.filter((name) => !HOSTNAME.test(name));
  if (bad.length > 0) throw new Error(`not lower-case DNS host names: ${bad.join(', ')}`);
  const dir = await mkdtemp(join(tmpdir(), 'bqal-ca-'));
  const file = (name: string) => join(dir, name);
  try {
    await writeFile(file('openssl.cnf'), config(hostnames));
    const cnf = ['-config', file('openssl.cnf')];
    const newKey = (name: string) =>
      openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file(name)]);
    await newKey('ca.key');
    await openssl([
      ...['req', '-new', '-x509', '-key', file('ca.key'), '-out', file('ca.pem')],
      ...['-days', '2', '-subj', '/CN=bq-autoloader local test CA', ...cnf, '-extensions', 'ca'],
    ]);
    await newKey('server.key');
    await openssl([
      ...['req', '-new', '-key', file('server.key'), '-out', file('server.csr')],
      ...['-subj', `/CN=${hostnames[0]}`, ...cnf],
    ]);
    await openssl([
      ...['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem')],
      ...['-CAkey', file('ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`],
      ...['-days', '2', '-extfile', file('openssl.cnf'), '-extensions', 'server'],
      ...['-out', file('server.pem')],
    ]);
    const [cert, key] = await Promise.all([
      readFile(file('server.pem'), 'utf8'),
      readFile(file('server.key'), 'utf8'),
    ]);
    return {
      caFile: file('ca.pem'),
      cert,
      key,
      dir,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** `[ca]` for the authority, `[server]` for the leaf: TLS clients check both sets. */
function config(hostnames: readonly string[]): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    'CN = unused',
    '[ca]',
    'basicConstraints = critical, CA:TRUE, pathlen:0',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    '[server]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = ${hostnames.map((name) => `DNS:${name}`).join(', ')}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n');
}

async function openssl(args: string[]): Promise<void> {
  try {
    await promisify(execFile)('openssl', args, { encoding: 'utf8' });
  } catch (error) {
    const { code, stderr } = error as { code?: unknown; stderr?: string };
    if (code === 'ENOENT') {
      throw new Error(
        'the openssl command is not on PATH: local TLS (the universe gateway) makes its test ' +
          'certificates with it; install OpenSSL (apt-get install openssl, brew install openssl)',
      );
    }
    throw new Error(`openssl ${args[0]} failed: ${stderr?.trim() || String(error)}`);
  }
}
