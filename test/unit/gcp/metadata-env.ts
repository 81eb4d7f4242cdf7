/**
 * google-auth-library and gcp-metadata read their settings from process.env: point them at
 * an in-test metadata server, and at an empty HOME so no local gcloud credentials leak in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEYS = [
  'GCE_METADATA_HOST',
  'METADATA_SERVER_DETECTION',
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'HOME',
  'BIGQUERY_EMULATOR_HOST',
  'STORAGE_EMULATOR_HOST',
] as const;

/** Sets the environment; the returned function restores it. */
export function useMetadataEnv(
  metadataHost: string,
  extra: Record<string, string> = {},
): () => void {
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  const home = mkdtempSync(join(tmpdir(), 'bq-autoloader-home-'));
  for (const key of KEYS) delete process.env[key];
  Object.assign(process.env, {
    GCE_METADATA_HOST: metadataHost,
    METADATA_SERVER_DETECTION: 'assume-present',
    GOOGLE_CLOUD_PROJECT: 'test-project',
    HOME: home,
    ...extra,
  });
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(home, { recursive: true, force: true });
  };
}
