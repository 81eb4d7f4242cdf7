/**
 * The loader's own Google clients and rules, opened in the `npm start` process for the local
 * stack's helpers (the reconcile loop, the status page) exactly as the function opens them:
 * the same clients, pointed at the local servers by the same environment variables
 * (GCE_METADATA_HOST, STORAGE_EMULATOR_HOST, BIGQUERY_EMULATOR_HOST). Nothing here is a
 * second implementation of what the function does.
 */
import { createGoogleClients, type GoogleClients } from '../src/gcp/clients';
import type { CompiledRules } from '../src/routing/compile';
import { billingProject } from '../src/routing/plan';
import { loadRulesOnEdge } from '../src/rules/endpoints';

export interface LocalLoader {
  google: GoogleClients;
  rules: CompiledRules;
  /** The rules file the function runs with. */
  configPath: string;
  /** The project jobs run in: the rules' `project`, else the runtime project. */
  projectId: string;
  /** Reads the rules file again (after `npm start` reloaded it for the function). */
  reloadRules(): Promise<void>;
  /** Closes the clients' keep-alive connections. */
  close(): void;
}

export async function openLocalLoader(
  env: NodeJS.ProcessEnv,
  configPath: string,
): Promise<LocalLoader> {
  const google = createGoogleClients({ retry: {} }, { env });
  const read = async () =>
    (await loadRulesOnEdge(configPath, google.edge, (uri) => google.objects.readText(uri), env))
      .rules;
  // The project jobs are billed to, as the function decides it (routing/plan.ts).
  const billed = async (rules: CompiledRules) =>
    billingProject(rules, { runtimeProject: await google.runtimeProject() });
  const rules = await read();
  const projectId = await billed(rules);
  const loader: LocalLoader = {
    google,
    rules,
    configPath,
    projectId,
    reloadRules: async () => {
      loader.rules = await read();
      loader.projectId = await billed(loader.rules);
    },
    close: () => google.edge.close(),
  };
  return loader;
}
