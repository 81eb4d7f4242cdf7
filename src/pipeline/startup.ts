/**
 * What runs once per instance before the first event: the rules file is loaded and the
 * universe and endpoints are decided (src/rules/endpoints.ts), then logged in one line. The
 * outcome is logged either way: CRITICAL when the instance cannot serve (src/index.ts stops
 * it). Every call an event makes waits for this, so none goes to an undecided endpoint.
 */

import { formatIssue } from '../config/errors';
import type { Environment } from '../core/env';
import type { GoogleClients } from '../gcp/clients';
import { log } from '../log';
import type { CompiledRules } from '../routing/compile';
import { loadRulesOnEdge } from '../rules/endpoints';

export function startUp(
  location: string,
  google: GoogleClients,
  env: Environment,
): Promise<CompiledRules> {
  // Asked now, so the metadata server answers while the rules file is read.
  google.edge.tokens.universe().catch(() => undefined);
  const started = (async () => {
    const { rules, applied } = await loadRulesOnEdge(
      location,
      google.edge,
      google.objects.readText,
      env,
    );
    const { endpoints } = applied;
    log('INFO', `rules loaded from ${location}; universe ${applied.universe} (${applied.from})`, {
      routes: rules.routes.length,
      universe: applied.universe,
      endpoints: {
        bigquery: endpoints.bigquery,
        storage: endpoints.storage,
        pubsub: endpoints.pubsub,
        ...(endpoints.regionalLocation ? { regional: endpoints.regionalLocation } : {}),
      },
      ...(google.edge.proxy ? { proxy: google.edge.proxy } : {}),
    });
    // Reported, not refused: every event such a route matches is refused on its own.
    for (const warning of rules.warnings ?? []) {
      log('WARNING', formatIssue(location, warning), { config: location, path: warning.path });
    }
    if (applied.credentialsProblem) {
      log(
        'WARNING',
        `the credentials did not say which universe they belong to: ${applied.credentialsProblem}`,
      );
    }
    return rules;
  })();
  started.catch((error: unknown) =>
    log('CRITICAL', error instanceof Error ? error.message : String(error), { config: location }),
  );
  return started;
}
