/** Stops what global-setup started (the emulator's whole process group). */
import type { PubSubEmulator } from '../support/pubsub-emulator';

export default async function globalTeardown(): Promise<void> {
  const emulator = (globalThis as { __pubsubEmulator?: PubSubEmulator }).__pubsubEmulator;
  await emulator?.stop();
}
