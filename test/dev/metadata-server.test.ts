import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type MetadataServer, startMetadataServer } from '../../dev/metadata-server';

/**
 * google-auth-library runs in a child process: its HTTP client (gaxios) loads fetch through a
 * dynamic import, which jest's module sandbox refuses. The child also proves the environment
 * variables alone are enough. PATH holds only node so the library cannot shell out to gcloud.
 */
async function runAuthClient(
  metadataHost: string,
  home: string,
): Promise<{ token: string; projectId: string; universeDomain: string }> {
  const script = `
    const { GoogleAuth } = require('google-auth-library');
    (async () => {
      const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/bigquery'] });
      const token = await auth.getAccessToken();
      const projectId = await auth.getProjectId();
      const universeDomain = await auth.getUniverseDomainFromMetadataServer();
      process.stdout.write(JSON.stringify({ token, projectId, universeDomain }));
    })().catch((err) => { process.stderr.write(String(err)); process.exit(1); });
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: join(__dirname, '..', '..'),
    env: {
      PATH: dirname(process.execPath),
      HOME: home,
      GCE_METADATA_HOST: metadataHost,
      METADATA_SERVER_DETECTION: 'assume-present',
    },
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as { token: string; projectId: string; universeDomain: string };
}

describe('the local metadata server', () => {
  let server: MetadataServer;
  let home: string;

  beforeAll(async () => {
    server = await startMetadataServer({ projectId: 'meta-project', accessToken: 'tok-123' });
    home = mkdtempSync(join(tmpdir(), 'bqal-home-'));
  });

  afterAll(async () => {
    rmSync(home, { recursive: true, force: true });
    await server.close();
  });

  it('gives google-auth-library an access token and the project id, with no project in the environment', async () => {
    const result = await runAuthClient(server.host, home);
    expect(result).toEqual({
      token: 'tok-123',
      projectId: 'meta-project',
      universeDomain: 'googleapis.com',
    });
    const tokenRequest = server.requests.find((r) => r.path.includes('/default/token'));
    expect(tokenRequest?.path).toContain(
      encodeURIComponent('https://www.googleapis.com/auth/bigquery'),
    );
    expect(tokenRequest?.headers['metadata-flavor']).toBe('Google');
    expect(server.requests.some((r) => r.path.endsWith('/project/project-id'))).toBe(true);
  });

  it('gives google-auth-library the universe domain it is told to play', async () => {
    const s3ns = await startMetadataServer({
      projectId: 's3ns:example-project',
      universeDomain: 's3nsapis.fr',
      serviceAccountEmail: 'bq-autoloader@example-project.s3ns.iam.gserviceaccount.com',
    });
    try {
      const result = await runAuthClient(s3ns.host, home);
      expect(result).toEqual({
        token: 'local-access-token',
        projectId: 's3ns:example-project',
        universeDomain: 's3nsapis.fr',
      });
      expect(s3ns.requests.map((r) => r.path)).toContain(
        '/computeMetadata/v1/universe/universe-domain',
      );
      const email = await fetch(
        `${s3ns.url}/computeMetadata/v1/instance/service-accounts/default/email`,
        { headers: { 'Metadata-Flavor': 'Google' } },
      );
      expect(await email.text()).toBe('bq-autoloader@example-project.s3ns.iam.gserviceaccount.com');
    } finally {
      await s3ns.close();
    }
  });

  it.each([
    ['/computeMetadata/v1/universe/universe-domain', 'googleapis.com'],
    ['/computeMetadata/v1/project/numeric-project-id', '123456789012'],
    [
      '/computeMetadata/v1/instance/service-accounts/default/email',
      'bq-autoloader@meta-project.iam.gserviceaccount.com',
    ],
    ['/computeMetadata/v1/', 'computeMetadata/\n'],
    ['/', 'computeMetadata/\n'],
  ])('answers %s with the Metadata-Flavor header', async (path, expected) => {
    const res = await fetch(`${server.url}${path}`, { headers: { 'Metadata-Flavor': 'Google' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('metadata-flavor')).toBe('Google');
    expect(await res.text()).toBe(expected);
  });

  it('refuses a request without the Metadata-Flavor header with 403', async () => {
    const res = await fetch(`${server.url}/computeMetadata/v1/project/project-id`);
    expect(res.status).toBe(403);
    expect(res.headers.get('metadata-flavor')).toBe('Google');
  });

  it('answers an unknown key with 404', async () => {
    const res = await fetch(`${server.url}/computeMetadata/v1/instance/nothing-here`, {
      headers: { 'Metadata-Flavor': 'Google' },
    });
    expect(res.status).toBe(404);
  });
});
