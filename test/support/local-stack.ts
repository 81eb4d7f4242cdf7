/**
 * The local servers an integration test needs, on ephemeral loopback ports, plus the
 * environment that points the function's real clients at them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BigQueryServer, startBigQueryServer } from '../../dev/bigquery/server';
import { startGcsServer } from '../../dev/gcs/server';
import { startMetadataServer } from '../../dev/metadata-server';

export const TEST_PROJECT = 'test-project';
export const TEST_TOKEN = 'test-access-token';

export interface LocalStack {
  rootDir: string;
  bigquery: BigQueryServer;
  gcs: Awaited<ReturnType<typeof startGcsServer>>;
  metadata: Awaited<ReturnType<typeof startMetadataServer>>;
  /** Environment for the function process. */
  env: Record<string, string>;
  /** Writes a rules file into the stack's folder and returns its path. */
  writeRules(text: string, name?: string): string;
  close(): Promise<void>;
}

export interface LocalStackOptions {
  /** The runtime project the metadata server reports; default TEST_PROJECT. */
  projectId?: string;
  /** What the metadata server answers at `universe/universe-domain`; default googleapis.com. */
  universeDomain?: string;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const projectId = options.projectId ?? TEST_PROJECT;
  const rootDir = mkdtempSync(join(tmpdir(), 'bqal-stack-'));
  mkdirSync(join(rootDir, 'buckets'), { recursive: true });
  const metadata = await startMetadataServer({
    projectId,
    accessToken: TEST_TOKEN,
    ...(options.universeDomain ? { universeDomain: options.universeDomain } : {}),
  });
  const gcs = await startGcsServer({ rootDir });
  const bigquery = await startBigQueryServer({
    bucketsDir: join(rootDir, 'buckets'),
    projectId,
  });
  return {
    rootDir,
    bigquery,
    gcs,
    metadata,
    env: {
      GCE_METADATA_HOST: metadata.host,
      BIGQUERY_EMULATOR_HOST: bigquery.host,
      STORAGE_EMULATOR_HOST: gcs.emulatorHost,
      GOOGLE_CLOUD_PROJECT: projectId,
    },
    writeRules(text, name = 'autoloader.yaml') {
      const path = join(rootDir, name);
      writeFileSync(path, text);
      return path;
    },
    async close() {
      await Promise.all([bigquery.close(), gcs.close(), metadata.close()]);
    },
  };
}

/**
 * The stack's environment without the BigQuery and Cloud Storage emulator variables: the
 * function then derives Google's public hosts itself (tests reach them through the universe
 * gateway, dev/universe-gateway.ts).
 */
export function withoutEmulators(env: Record<string, string>): Record<string, string> {
  const { BIGQUERY_EMULATOR_HOST: _b, STORAGE_EMULATOR_HOST: _s, ...rest } = env;
  return rest;
}
