/**
 * The start-up decision of universe and endpoints, on a real edge (endpoints are read back
 * from it) with a scripted credential universe.
 */
import { ConfigError } from '../../../src/config/errors';
import { createGoogleEdge } from '../../../src/gcp/edge';
import type { TokenProvider } from '../../../src/gcp/token';
import { applyEndpoints } from '../../../src/rules/endpoints';

function edgeWith(universe: () => Promise<string>) {
  const tokens: TokenProvider = {
    token: async () => 't',
    invalidate: () => undefined,
    projectId: async () => 'p',
    universe,
  };
  return createGoogleEdge({ env: {}, tokens });
}

describe('applyEndpoints', () => {
  it('points the edge at the credentials’ universe when nothing is configured', async () => {
    const edge = edgeWith(async () => 's3nsapis.fr');
    const applied = await applyEndpoints(edge, {}, {});
    expect(applied).toMatchObject({ universe: 's3nsapis.fr', from: 'credentials' });
    expect(edge.endpoints.bigquery).toBe('https://bigquery.s3nsapis.fr');
    expect(edge.endpoints.storage).toBe('https://storage.s3nsapis.fr/storage/v1');
  });

  it('sends BigQuery and Storage to the location with endpoints: regional', async () => {
    const edge = edgeWith(async () => 'googleapis.com');
    await applyEndpoints(edge, { endpoints: 'regional', location: 'europe-west9' }, {});
    expect(edge.endpoints).toMatchObject({
      bigquery: 'https://bigquery.europe-west9.rep.googleapis.com',
      storage: 'https://storage.europe-west9.rep.googleapis.com/storage/v1',
      pubsub: 'https://pubsub.googleapis.com',
      regionalLocation: 'europe-west9',
    });
  });

  it('refuses regional endpoints where the location has none, naming the field', async () => {
    const edge = edgeWith(async () => 'googleapis.com');
    const applying = applyEndpoints(edge, { endpoints: 'regional', location: 'US' }, {}, 'r.yaml');
    await expect(applying).rejects.toThrow(ConfigError);
    await expect(applying).rejects.toThrow(/^r\.yaml: location: multi-region US/);
    expect(edge.endpoints.bigquery).toBe('https://bigquery.googleapis.com');
  });

  it('refuses a rules file whose universe the credentials do not belong to', async () => {
    const edge = edgeWith(async () => 'googleapis.com');
    await expect(applyEndpoints(edge, { universeDomain: 's3nsapis.fr' }, {})).rejects.toThrow(
      'universe mismatch: the rules file says s3nsapis.fr but the credentials belong to googleapis.com',
    );
  });

  it('goes on with the configured universe when the credentials cannot say, and says why', async () => {
    const edge = edgeWith(async () => {
      throw new Error('Could not load the default credentials');
    });
    const applied = await applyEndpoints(edge, {}, { GOOGLE_CLOUD_UNIVERSE_DOMAIN: 's3nsapis.fr' });
    expect(applied).toMatchObject({
      universe: 's3nsapis.fr',
      from: 'GOOGLE_CLOUD_UNIVERSE_DOMAIN',
      credentialsProblem: 'Could not load the default credentials',
    });
    expect(edge.endpoints.pubsub).toBe('https://pubsub.s3nsapis.fr');
  });
});
