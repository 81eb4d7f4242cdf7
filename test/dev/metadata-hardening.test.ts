/** The local metadata server hands out tokens: only to this machine's own clients. */
import { type MetadataServer, startMetadataServer } from '../../dev/metadata-server';
import { rawRequest } from '../support/raw-http';

let server: MetadataServer;
beforeAll(async () => {
  server = await startMetadataServer();
});
afterAll(() => server.close());

const TOKEN = '/computeMetadata/v1/instance/service-accounts/default/token';

it('answers 127.0.0.1:PORT and localhost:PORT', async () => {
  const port = new URL(server.url).port;
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
    const res = await rawRequest(`${server.url}${TOKEN}`, {
      headers: { Host: host, 'Metadata-Flavor': 'Google' },
    });
    expect(res.status).toBe(200);
  }
});

it.each([[{ Host: 'attacker.example' }], [{ Origin: 'http://attacker.example' }]])(
  'refuses %j',
  async (headers) => {
    const res = await rawRequest(`${server.url}${TOKEN}`, {
      headers: { 'Metadata-Flavor': 'Google', ...headers },
    });
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('access_token');
  },
);
