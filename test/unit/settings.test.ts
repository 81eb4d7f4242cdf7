import { SettingError } from '../../src/core/env';
import { configLocation, readCliSettings, readSettings } from '../../src/settings';

describe('readSettings', () => {
  it('reads the retry budget, and names the variable when it is unreadable', () => {
    expect(readSettings({ AUTOLOADER_RETRY_BUDGET_MS: '5000' }).retry).toEqual({ budgetMs: 5000 });
    expect(readSettings({}).retry).toEqual({});
    expect(() => readSettings({ AUTOLOADER_RETRY_BUDGET_MS: 'x' })).toThrow(
      /AUTOLOADER_RETRY_BUDGET_MS must be a whole number of milliseconds/,
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
        AUTOLOADER_CONFIG: 'rules.json',
        GCLOUD_PROJECT: 'old-style',
        AUTOLOADER_LOCAL_DIR: '/tmp/stack',
        BIGQUERY_EMULATOR_HOST: 'localhost:9050/',
      }),
    ).toEqual({
      configLocation: 'rules.json',
      project: 'old-style',
      localDir: '/tmp/stack',
      bigqueryEmulator: 'http://localhost:9050',
    });
  });

  it('prefers GOOGLE_CLOUD_PROJECT, and has defaults for the rest', () => {
    expect(readCliSettings({ GOOGLE_CLOUD_PROJECT: 'p', GCLOUD_PROJECT: 'q' })).toEqual({
      configLocation: './autoloader.yaml',
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
