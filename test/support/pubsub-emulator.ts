/**
 * The gcloud Pub/Sub emulator, started in its own process group: the launcher script starts
 * Java, and killing only the script would leave Java running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface PubSubEmulator {
  host: string;
  url: string;
  stop(): Promise<void>;
}

const SDK_ROOTS = ['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/google-cloud-sdk'];

function launcherPath(): string {
  for (const root of SDK_ROOTS) {
    const path = join(root, 'platform/pubsub-emulator/bin/cloud-pubsub-emulator');
    if (existsSync(path)) return path;
  }
  throw new Error(
    `Pub/Sub emulator not found under ${SDK_ROOTS.join(', ')}: install gcloud's pubsub-emulator component`,
  );
}

export async function startPubSubEmulator(): Promise<PubSubEmulator> {
  const port = await freePort();
  const child: ChildProcess = spawn(launcherPath(), ['--host=127.0.0.1', `--port=${port}`], {
    detached: true, // its own process group, stopped as a whole
    stdio: 'ignore',
  });
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Pub/Sub emulator exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return { host, url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error('Pub/Sub emulator did not become ready within 30 s');
}
