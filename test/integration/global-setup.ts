/**
 * Once per integration run: build dist/ with `npm run build`'s bundler (the function runs
 * from the bundle, exactly as deployed) and start the gcloud Pub/Sub emulator on an
 * ephemeral loopback port. Type errors are the lint step's job; the bundler does not check.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startPubSubEmulator } from '../support/pubsub-emulator';

export default async function globalSetup(): Promise<void> {
  execFileSync(process.execPath, ['build.mjs'], {
    stdio: 'inherit',
    cwd: join(__dirname, '../..'),
  });
  const emulator = await startPubSubEmulator();
  (globalThis as { __pubsubEmulator?: typeof emulator }).__pubsubEmulator = emulator;
  // Workers are forked after global setup and inherit this.
  process.env.PUBSUB_EMULATOR_HOST = emulator.host;
}
