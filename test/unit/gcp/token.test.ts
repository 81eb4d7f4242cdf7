/**
 * The token provider: cached across calls, refreshed ahead of expiry with one request in
 * flight, dropped once after a 401. A scripted credential stands in for google-auth-library
 * where the clock matters; the real library against a local metadata server checks that the
 * provider really makes it fetch a new token.
 */
import { GoogleAuth } from 'google-auth-library';
import {
  createTokenProvider,
  DEFAULT_SCOPES,
  googleScopes,
  REFRESH_AHEAD_MS,
  type TokenSource,
} from '../../../src/gcp/token';
import { type FakeServer, startMetadataServer } from './fake-servers';
import { useMetadataEnv } from './metadata-env';

const HOUR = 3_600_000;

/** A credential whose tokens live an hour of `clock`; each fetch waits for `release()`. */
function scriptedCredential(clock: { now: number }) {
  let fetches = 0;
  let projectAsks = 0;
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const forced: unknown[] = [];
  const client = {
    credentials: {} as { expiry_date?: number | null },
    setCredentials(credentials: { expiry_date?: number | null }) {
      forced.push(credentials.expiry_date);
      client.credentials = credentials;
    },
    async getAccessToken() {
      fetches += 1;
      const token = `t${fetches}`;
      await gate;
      client.credentials = { expiry_date: clock.now + HOUR };
      return { token };
    },
  };
  const auth = {
    getClient: async () => client,
    getProjectId: async () => {
      projectAsks += 1;
      if (projectAsks === 1) throw new Error('metadata server not ready');
      return 'runtime-project';
    },
  } as unknown as TokenSource;
  return {
    auth,
    forced,
    fetches: () => fetches,
    projectAsks: () => projectAsks,
    /** Holds every fetch until `release` is called. */
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createTokenProvider', () => {
  let clock: { now: number };
  let credential: ReturnType<typeof scriptedCredential>;
  let provider: ReturnType<typeof createTokenProvider>;

  beforeEach(() => {
    clock = { now: 1_000_000 };
    credential = scriptedCredential(clock);
    provider = createTokenProvider({ auth: credential.auth, now: () => clock.now });
  });

  it('asks for a token once and serves every later call from the cache', async () => {
    expect(await provider.token()).toBe('t1');
    const tokens = await Promise.all(Array.from({ length: 10 }, () => provider.token()));
    clock.now += HOUR / 2;
    tokens.push(await provider.token());

    expect(new Set(tokens)).toEqual(new Set(['t1']));
    expect(credential.fetches()).toBe(1);
  });

  it('makes concurrent first calls share one request', async () => {
    credential.hold();
    const waiting = Array.from({ length: 10 }, () => provider.token());
    await tick();
    credential.release();

    expect(new Set(await Promise.all(waiting))).toEqual(new Set(['t1']));
    expect(credential.fetches()).toBe(1);
  });

  it('refreshes ahead of expiry behind the old token, one refresh in flight', async () => {
    await provider.token();
    clock.now += HOUR - REFRESH_AHEAD_MS + 1_000;
    credential.hold();

    const during = await Promise.all(Array.from({ length: 10 }, () => provider.token()));
    expect(new Set(during)).toEqual(new Set(['t1'])); // nobody waits for the refresh
    expect(credential.fetches()).toBe(2); // one refresh for ten calls

    credential.release();
    await tick();
    expect(await provider.token()).toBe('t2');
    expect(credential.fetches()).toBe(2);
  });

  it('waits for a new token once the old one is about to expire', async () => {
    await provider.token();
    clock.now += HOUR - 10_000;

    expect(await provider.token()).toBe('t2');
    expect(credential.fetches()).toBe(2);
  });

  it('bypasses the library cache when it asks: the fetched token is a new one', async () => {
    await provider.token();
    expect(credential.forced).toEqual([1]);
  });

  it('drops a token the API refused, once however many calls saw it', async () => {
    const refused = await provider.token();
    provider.invalidate(refused);
    provider.invalidate(refused);
    const after = await Promise.all([provider.token(), provider.token()]);
    provider.invalidate(refused); // a late 401 for the old token: the new one stays

    expect(after).toEqual(['t2', 't2']);
    expect(await provider.token()).toBe('t2');
    expect(credential.fetches()).toBe(2);
  });

  it('caches the project id, but not a failure to read it', async () => {
    await expect(provider.projectId()).rejects.toThrow('not ready');
    expect(await provider.projectId()).toBe('runtime-project');
    expect(await provider.projectId()).toBe('runtime-project');
    expect(credential.projectAsks()).toBe(2);
  });
});

describe('createTokenProvider with google-auth-library', () => {
  let metadata: FakeServer;
  let restoreEnv: () => void;

  beforeAll(async () => {
    metadata = await startMetadataServer({ tokens: ['first', 'second'] });
    restoreEnv = useMetadataEnv(metadata.host);
  });

  afterAll(async () => {
    restoreEnv();
    await metadata.close();
  });

  const tokenRequests = () =>
    metadata.requests.filter((r) => r.url.includes('/service-accounts/default/token'));

  it('fetches a new token after a 401 although the library still holds a valid one', async () => {
    const provider = createTokenProvider({ auth: new GoogleAuth({ scopes: DEFAULT_SCOPES }) });

    expect(await provider.token()).toBe('first');
    expect(await provider.token()).toBe('first');
    provider.invalidate('first');
    expect(await provider.token()).toBe('second');
    expect(tokenRequests()).toHaveLength(2);
    expect(decodeURIComponent(tokenRequests()[0]?.url ?? '')).toContain(
      'scopes=https://www.googleapis.com/auth/bigquery,https://www.googleapis.com/auth/devstorage.read_write,https://www.googleapis.com/auth/pubsub',
    );
  });
});

describe('googleScopes', () => {
  it.each([
    [{}, DEFAULT_SCOPES],
    [{ AUTOLOADER_SCOPES: '' }, DEFAULT_SCOPES],
    [{ AUTOLOADER_SCOPES: ' a , b ,' }, ['a', 'b']],
  ])('reads %j', (env, scopes) => {
    expect(googleScopes(env)).toEqual(scopes);
  });

  it('refuses AUTOLOADER_SCOPES that lists nothing, naming it', () => {
    expect(() => googleScopes({ AUTOLOADER_SCOPES: ' , ' })).toThrow(
      'AUTOLOADER_SCOPES lists nothing',
    );
  });
});

describe('the credentials’ universe, from google-auth-library', () => {
  it.each([
    ['s3nsapis.fr', 's3nsapis.fr'],
    [undefined, 'googleapis.com'],
  ])('is what the metadata server answers (%p → %s), asked once', async (answer, expected) => {
    const metadata = await startMetadataServer(answer ? { universe: answer } : {});
    const restoreEnv = useMetadataEnv(metadata.host);
    try {
      const provider = createTokenProvider({ auth: new GoogleAuth({ scopes: DEFAULT_SCOPES }) });
      expect(await provider.universe()).toBe(expected);
      expect(await provider.universe()).toBe(expected);
      const asked = metadata.requests.filter((r) => r.url.includes('universe/universe-domain'));
      expect(asked).toHaveLength(1);
    } finally {
      restoreEnv();
      await metadata.close();
    }
  });

  it('is the key file’s universe_domain for a non-Compute credential', async () => {
    const client = { universeDomain: 'example-universe.test' };
    const provider = createTokenProvider({
      auth: {
        getClient: async () => client,
        getProjectId: async () => 'p',
      } as unknown as TokenSource,
    });
    expect(await provider.universe()).toBe('example-universe.test');
  });
});
