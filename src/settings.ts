/**
 * Operator settings read from the environment, checked once at start with errors that name
 * the variable (a SettingError: an unreadable setting is never replaced by a default).
 * Rules live in the rules file; these are about the runtime.
 */
import { type Environment, envBaseUrl, envFirst, envText, envWholeNumber } from './core/env';
import type { RetryOptions } from './gcp/bigquery/retry';

export interface Settings {
  /** In-process retry budget per BigQuery or Cloud Storage call. */
  retry: RetryOptions;
}

/**
 * `AUTOLOADER_RETRY_BUDGET_MS`: how long one call to BigQuery or Cloud Storage may spend
 * retrying transient failures before the event is thrown back to the trigger for
 * redelivery (default 20 000 ms). An event makes one to three such calls, and each attempt
 * may also wait for its own request timeout: keep the budget well under a third of the
 * function's timeout.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const retry: RetryOptions = {};
  const budget = envWholeNumber(env, 'AUTOLOADER_RETRY_BUDGET_MS', 'milliseconds');
  if (budget !== undefined) retry.budgetMs = budget;
  return { retry };
}

export const DEFAULT_CONFIG_LOCATION = './autoloader.yaml';

/** `AUTOLOADER_CONFIG`: the rules file, a path or a gs:// URI (./autoloader.yaml when unset). */
export function configLocation(env: Environment = process.env): string {
  return envText(env, 'AUTOLOADER_CONFIG') ?? DEFAULT_CONFIG_LOCATION;
}

/** What the command line reads from the environment (flags take precedence). */
export interface CliSettings {
  /** `AUTOLOADER_CONFIG` (see configLocation). */
  configLocation: string;
  /** `GOOGLE_CLOUD_PROJECT`, else `GCLOUD_PROJECT`: the project jobs are billed to. */
  project?: string;
  /** `AUTOLOADER_LOCAL_DIR`: where `npm start` leaves stack.json (default ./local). */
  localDir: string;
  /** `BIGQUERY_EMULATOR_HOST` as a base URL: the local BigQuery `local query` asks. */
  bigqueryEmulator?: string;
}

export function readCliSettings(env: Environment = process.env): CliSettings {
  const settings: CliSettings = {
    configLocation: configLocation(env),
    localDir: envText(env, 'AUTOLOADER_LOCAL_DIR') ?? './local',
  };
  const project = envFirst(env, ['GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT']);
  if (project !== undefined) settings.project = project;
  const emulator = envBaseUrl(env, 'BIGQUERY_EMULATOR_HOST');
  if (emulator !== undefined) settings.bigqueryEmulator = emulator;
  return settings;
}
