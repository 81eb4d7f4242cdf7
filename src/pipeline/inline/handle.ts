/**
 * Inline data: the route named in the attributes decides destination, format and schema
 * (src/routing/inline-plan.ts); the bytes go to BigQuery through the Upload URI
 * (src/gcp/bigquery/upload.ts). A permanent BigQuery error is thrown to settle.ts, which
 * refuses and dead-letters the message, as it returns a refusal here.
 */

import { jobFailure } from '../../gcp/bigquery/job-status';
import type { UploadSettings } from '../../gcp/bigquery/upload';
import type { CompiledRules } from '../../routing/compile';
import { planInlineLoad } from '../../routing/inline-plan';
import type { InlineData, LoadPlan } from '../../types';
import type { Trail } from '../event-outcome';

export interface InlineDeps {
  uploadJob: (
    plan: LoadPlan,
    data: Buffer,
    settings?: UploadSettings,
  ) => Promise<{ outcome: 'submitted' | 'duplicate'; job: unknown }>;
}

export type InlineResult =
  | { kind: 'loaded'; outcome: 'submitted' | 'duplicate'; plan: LoadPlan }
  | { kind: 'refused'; reason: string; route?: string; jobId?: string };

export async function processInline(
  deps: InlineDeps,
  rules: CompiledRules,
  inline: InlineData,
  source: { topic: string; messageId: string; publishTime?: string },
  ctx: { runtimeProject: string },
  trail: Trail,
): Promise<InlineResult> {
  const decision = planInlineLoad(rules, inline, source, ctx);
  if (decision.kind !== 'load') {
    return { kind: 'refused', reason: decision.reason, route: decision.route };
  }
  const { plan } = decision;
  // Known now, so a refusal or retry line thrown from the upload names the route and job.
  Object.assign(trail.fields, { route: plan.route, jobId: plan.jobId });
  const { outcome, job } = await deps.uploadJob(plan, inline.bytes, rules.config.inline);
  // A job already DONE with an error (at once, or found after a 409) loaded nothing: the
  // message is the only copy of the data, so it is refused and dead-lettered, not acked.
  const failed = jobFailure(job);
  if (failed) {
    const existing = outcome === 'duplicate' ? 'the existing job' : 'the job';
    return {
      kind: 'refused',
      reason: `${existing} ${plan.jobId} failed: ${failed}`,
      route: plan.route,
      jobId: plan.jobId,
    };
  }
  return { kind: 'loaded', outcome, plan };
}
