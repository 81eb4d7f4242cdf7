/**
 * The staging dataset of the rules' staged routes (docs/transforms.md), created on the local
 * BigQuery as Terraform creates it in the cloud (terraform/staging.tf): with a default table
 * expiration, so a staging table whose query never ran disappears by itself.
 */
import { isStagedRoute } from '../src/config/staging-checks';
import type { CompiledRules } from '../src/routing/compile';
import { billingProject } from '../src/routing/plan';
import { stagingDataset } from '../src/routing/staging';

/** As terraform/variables_inputs.tf's default `table_expiration_hours` (24). */
const EXPIRATION_MS = 24 * 3_600_000;

/** datasets.insert on the local BigQuery at `bigqueryUrl`; an existing dataset is left as it is. */
export async function ensureStagingDataset(
  bigqueryUrl: string,
  rules: CompiledRules,
  runtimeProject: string,
): Promise<void> {
  if (!rules.routes.some((r) => isStagedRoute(r.config))) return;
  const billing = billingProject(rules, { runtimeProject });
  const { projectId, datasetId } = stagingDataset(rules.config.staging?.dataset, billing);
  const answer = await fetch(
    `${bigqueryUrl}/bigquery/v2/projects/${encodeURIComponent(projectId)}/datasets`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        datasetReference: { projectId, datasetId },
        location: rules.config.location,
        defaultTableExpirationMs: String(EXPIRATION_MS),
      }),
    },
  );
  if (!answer.ok && answer.status !== 409) {
    throw new Error(
      `cannot create the staging dataset ${projectId}.${datasetId}: HTTP ${answer.status} ${await answer.text()}`,
    );
  }
}
