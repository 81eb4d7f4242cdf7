/**
 * Decides, once at start, which universe and endpoints the loader talks to — from the rules
 * file (`universeDomain:`, `endpoints:`), GOOGLE_CLOUD_UNIVERSE_DOMAIN and the credentials
 * (src/core/universe.ts chooseUniverse) — and points the edge at them. A disagreement, or
 * regional endpoints where the location has none, is an error the caller logs at CRITICAL.
 */
import { ConfigError } from '../config/errors';
import type { Config } from '../config/schema';
import type { Environment } from '../core/env';
import { isGsUri } from '../core/gs-uri';
import {
  type ChosenUniverse,
  chooseUniverse,
  envUniverse,
  regionalEndpointProblem,
} from '../core/universe';
import type { GoogleEdge } from '../gcp/edge';
import type { EndpointChoice, GoogleEndpoints } from '../gcp/endpoints';
import type { CompiledRules } from '../routing/compile';
import { loadRules, type TextReader } from './load';

export type EndpointSettings = Partial<Pick<Config, 'universeDomain' | 'endpoints' | 'location'>>;

export interface AppliedEndpoints extends ChosenUniverse {
  endpoints: GoogleEndpoints;
  /** Why the credentials could not name their universe (no credentials found…). */
  credentialsProblem?: string;
}

export async function applyEndpoints(
  edge: GoogleEdge,
  config: EndpointSettings,
  env: Environment,
  source = 'the rules file',
): Promise<AppliedEndpoints> {
  let credentials: string | undefined;
  let credentialsProblem: string | undefined;
  try {
    credentials = await edge.tokens.universe();
  } catch (error) {
    credentialsProblem = error instanceof Error ? error.message : String(error);
  }
  const { chosen, choice } = endpointChoice(config, env, credentials, source);
  edge.useEndpoints(choice);
  return {
    ...chosen,
    endpoints: edge.endpoints,
    ...(credentialsProblem ? { credentialsProblem } : {}),
  };
}

/**
 * The decision itself, without asking anyone: `credentials` is the credentials' universe
 * when known. `bq-autoloader plan` uses it offline to print the URL it would call.
 */
export function endpointChoice(
  config: EndpointSettings,
  env: Environment,
  credentials?: string,
  source = 'the rules file',
): { chosen: ChosenUniverse; choice: EndpointChoice } {
  const chosen = chooseUniverse({
    rules: config.universeDomain,
    env: envUniverse(env),
    credentials,
  });
  const choice: EndpointChoice = { universe: chosen.universe };
  if (config.endpoints === 'regional' && config.location !== undefined) {
    const problem = regionalEndpointProblem(chosen.universe, config.location);
    if (problem) {
      throw new ConfigError(`${source}: location: ${problem}`, [
        { path: 'location', message: problem },
      ]);
    }
    choice.regionalLocation = config.location.toLowerCase();
  }
  return { chosen, choice };
}

/**
 * Loads the rules as a cold start does, then points `edge` at their universe and endpoints.
 * A rules file in Cloud Storage cannot name the universe it is read from: that read follows
 * GOOGLE_CLOUD_UNIVERSE_DOMAIN and the credentials.
 */
export async function loadRulesOnEdge(
  location: string,
  edge: GoogleEdge,
  readGcsText: TextReader,
  env: Environment,
): Promise<{ rules: CompiledRules; applied: AppliedEndpoints }> {
  if (isGsUri(location)) await applyEndpoints(edge, {}, env, location);
  const rules = await loadRules(location, readGcsText);
  return { rules, applied: await applyEndpoints(edge, rules.config, env, location) };
}
