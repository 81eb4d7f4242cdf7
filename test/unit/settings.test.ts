import { SettingError } from '../../src/core/env';
import { MAX_BODY_BYTES } from '../../src/door/rules';
import {
  configLocation,
  DEFAULT_RETRY_BUDGET_MS,
  MIN_DOOR_INFLIGHT_BYTES,
  readCliSettings,
  readSettings,
} from '../../src/settings';

describe('readSettings', () => {
  it('defaults the retry budget of an event to 20 s', () => {
    expect(readSettings({})).toEqual({
      retry: { budgetMs: DEFAULT_RETRY_BUDGET_MS },
      retryBudgetMs: 20_000,
      markers: true,
      deadLetterRetrySeconds: 3600,
      requestChunkObjects: 100,
    });
  });

  it('reads AUTOLOADER_RETRY_BUDGET_MS as the budget of an event and of a call outside one', () => {
    expect(readSettings({ AUTOLOADER_RETRY_BUDGET_MS: '5000' })).toEqual({
      retry: { budgetMs: 5_000 },
      retryBudgetMs: 5_000,
      markers: true,
      deadLetterRetrySeconds: 3600,
      requestChunkObjects: 100,
    });
  });

  it.each(['-1', '1.5', 'soon'])('refuses AUTOLOADER_RETRY_BUDGET_MS=%s, naming it', (value) => {
    expect(() => readSettings({ AUTOLOADER_RETRY_BUDGET_MS: value })).toThrow(
      /AUTOLOADER_RETRY_BUDGET_MS must be a whole number/,
    );
  });

  it('reads AUTOLOADER_DOOR_INFLIGHT_BYTES, naming it when unreadable', () => {
    expect(readSettings({}).doorInFlightBytes).toBeUndefined();
    expect(readSettings({ AUTOLOADER_DOOR_INFLIGHT_BYTES: '33554432' }).doorInFlightBytes).toBe(
      33_554_432,
    );
    // Below the door's largest body the instance would serve one request at a time.
    expect(MIN_DOOR_INFLIGHT_BYTES).toBe(MAX_BODY_BYTES);
    expect(() => readSettings({ AUTOLOADER_DOOR_INFLIGHT_BYTES: '1048576' })).toThrow(
      /AUTOLOADER_DOOR_INFLIGHT_BYTES must be at least 16777216/,
    );
    expect(() => readSettings({ AUTOLOADER_DOOR_INFLIGHT_BYTES: '1MB' })).toThrow(
      /AUTOLOADER_DOOR_INFLIGHT_BYTES/,
    );
  });

  it('reads AUTOLOADER_REQUEST_CHUNK_OBJECTS (1 to 10 000), naming it when out of range', () => {
    expect(readSettings({ AUTOLOADER_REQUEST_CHUNK_OBJECTS: '50' }).requestChunkObjects).toBe(50);
    for (const value of ['0', '10001', 'many']) {
      expect(() => readSettings({ AUTOLOADER_REQUEST_CHUNK_OBJECTS: value })).toThrow(
        /AUTOLOADER_REQUEST_CHUNK_OBJECTS must be/,
      );
    }
  });

  it('reads AUTOLOADER_DEAD_LETTER_RETRY_SECONDS, naming it when unreadable', () => {
    expect(
      readSettings({ AUTOLOADER_DEAD_LETTER_RETRY_SECONDS: '60' }).deadLetterRetrySeconds,
    ).toBe(60);
    expect(() => readSettings({ AUTOLOADER_DEAD_LETTER_RETRY_SECONDS: 'soon' })).toThrow(
      /AUTOLOADER_DEAD_LETTER_RETRY_SECONDS must be a whole number/,
    );
  });

  it('turns the claim before each insert off with AUTOLOADER_MARKERS=off', () => {
    expect(readSettings({ AUTOLOADER_MARKERS: 'off' }).markers).toBe(false);
    expect(readSettings({ AUTOLOADER_MARKERS: 'on' }).markers).toBe(true);
  });

  it('reads AUTOLOADER_SWEEP_CLAIM_GRACE_SECONDS at start, naming it when unreadable', () => {
    expect(
      readSettings({ AUTOLOADER_SWEEP_CLAIM_GRACE_SECONDS: '30' }).sweepClaimGraceSeconds,
    ).toBe(30);
    expect(readSettings({})).not.toHaveProperty('sweepClaimGraceSeconds');
    expect(() => readSettings({ AUTOLOADER_SWEEP_CLAIM_GRACE_SECONDS: 'ten' })).toThrow(
      'AUTOLOADER_SWEEP_CLAIM_GRACE_SECONDS must be a whole number of seconds >= 0, got "ten"',
    );
  });

  it('refuses any other AUTOLOADER_MARKERS value, naming it', () => {
    expect(() => readSettings({ AUTOLOADER_MARKERS: 'no' })).toThrow(
      'AUTOLOADER_MARKERS must be "on" or "off", got "no"',
    );
  });
});

describe('configLocation', () => {
  it('is AUTOLOADER_CONFIG, else ./autoloader.yaml; a blank value is an error', () => {
    expect(configLocation({ AUTOLOADER_CONFIG: ' gs://b/rules.yaml ' })).toBe('gs://b/rules.yaml');
    expect(configLocation({})).toBe('./autoloader.yaml');
    expect(configLocation({ AUTOLOADER_CONFIG: '' })).toBe('./autoloader.yaml');
    expect(() => configLocation({ AUTOLOADER_CONFIG: '  ' })).toThrow(SettingError);
  });
});

describe('readCliSettings', () => {
  it('reads every setting the command line uses', () => {
    expect(
      readCliSettings({
        GCLOUD_PROJECT: 'old-style',
        AUTOLOADER_LOCAL_DIR: '/tmp/stack',
        BIGQUERY_EMULATOR_HOST: 'localhost:9050/',
      }),
    ).toEqual({
      project: 'old-style',
      localDir: '/tmp/stack',
      bigqueryEmulator: 'http://localhost:9050',
    });
  });

  it('prefers GOOGLE_CLOUD_PROJECT, and has defaults for the rest', () => {
    expect(readCliSettings({ GOOGLE_CLOUD_PROJECT: 'p', GCLOUD_PROJECT: 'q' })).toEqual({
      project: 'p',
      localDir: './local',
    });
  });

  it('refuses an unreadable setting before doing anything, naming it', () => {
    expect(() => readCliSettings({ BIGQUERY_EMULATOR_HOST: 'not a host' })).toThrow(
      /BIGQUERY_EMULATOR_HOST must be host:port or a URL/,
    );
  });
});
