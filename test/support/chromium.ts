/**
 * A real headless Chromium for browser tests: Debian's /usr/bin/chromium, driven by
 * playwright-core (no browser download). `.ci/run` installs the package; where it is missing,
 * browser tests are skipped with a message saying how to install it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. */
export function missingBrowser(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  return `${CHROMIUM} is missing: install it with \`apt-get install -y --no-install-recommends chromium\` (.ci/run does)`;
}

export interface HeadlessBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each time; background networking off (this network refuses it). */
export async function launchChromium(): Promise<HeadlessBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'bqal-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
