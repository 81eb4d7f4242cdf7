/**
 * Reading operator settings from an environment the caller passes in (src/settings.ts passes
 * the process's): a variable that is set but cannot be read is an error naming it, never a
 * silent default. An empty value counts as unset, since deploy tools write `NAME=` for "no
 * value"; a value of blanks only is an error (someone set it, and it says nothing).
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/** An unreadable setting; the message names the variable and what it expects. */
export class SettingError extends Error {
  override readonly name = 'SettingError';

  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/** The value without surrounding blanks; undefined when unset or empty. */
export function envText(env: Environment, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const text = raw.trim();
  if (!text) throw new SettingError(name, `${name} is set but blank`);
  return text;
}

/** The first of `names` that is set (`GOOGLE_CLOUD_PROJECT`, then `GCLOUD_PROJECT`). */
export function envFirst(env: Environment, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = envText(env, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A whole number >= 0 of `unit` (`seconds`, `milliseconds`). */
export function envWholeNumber(env: Environment, name: string, unit: string): number | undefined {
  const text = envText(env, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new SettingError(name, `${name} must be a whole number of ${unit} >= 0, got "${text}"`);
  }
  return value;
}

/** Comma-separated entries, blanks dropped; set with no entry at all is an error. */
export function envList(env: Environment, name: string): string[] | undefined {
  const text = envText(env, name);
  if (text === undefined) return undefined;
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new SettingError(name, `${name} lists nothing: "${text}"`);
  return entries;
}

/**
 * An emulator or local server, `host:port` or a URL (as Google's own clients read
 * `PUBSUB_EMULATOR_HOST` and the like), as a base URL without trailing slashes. A bare
 * `host:port` gets `scheme` (http, except where a client adds https, as the storage one does).
 */
export function envBaseUrl(
  env: Environment,
  name: string,
  scheme: 'http' | 'https' = 'http',
): string | undefined {
  const text = envText(env, name);
  if (text === undefined) return undefined;
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `${scheme}://${text}`;
  if (!URL.canParse(url)) {
    throw new SettingError(name, `${name} must be host:port or a URL, got "${text}"`);
  }
  return url.replace(/\/+$/, '');
}
