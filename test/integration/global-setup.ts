/**
 * Once per integration run: build dist/ (the function runs from the built package, exactly as
 * deployed) and start the gcloud Pub/Sub emulator on an ephemeral loopback port.
 * Type errors are the lint step's job, so the build here skips checking (`--noCheck`).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startPubSubEmulator } from '../support/pubsub-emulator';

export default async function globalSetup(): Promise<void> {
  execFileSync(
    join(__dirname, '../../node_modules/.bin/tsc'),
    ['-p', 'tsconfig.build.json', '--noCheck'],
    { stdio: 'inherit', cwd: join(__dirname, '../..') },
  );
  const emulator = await startPubSubEmulator();
  (globalThis as { __pubsubEmulator?: typeof emulator }).__pubsubEmulator = emulator;
  // Workers are forked after global setup and inherit this.
  process.env.PUBSUB_EMULATOR_HOST = emulator.host;
}
