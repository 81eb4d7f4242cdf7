/**
 * decode → route → submit → ack/retry. The one place that decides whether an event is
 * acknowledged (the function returns) or redelivered (the function throws).
 *
 * - ignored / refused / permanent failures: one log line with the reason, then return (ack).
 * - retryable failures (after the client's in-process retries) and unknown errors: one log
 *   line with outcome `retry`, then throw so Eventarc / the push subscription redelivers.
 */

import { PermanentError } from '../errors';
import { decodeEvent } from '../events/decode';
import { jobFailure } from '../gcp/bigquery/job-status';
import type { MarkerWriter } from '../gcp/storage/markers';
import { type LogFields, log } from '../log';
import { afterSubmit, followsOutcomes, type OutcomeDeps } from '../outcomes/after-submit';
import type { CompiledRules } from '../routing/compile';
import { planObjectLoad } from '../routing/plan';
import { rulesAccepting } from '../routing/request-plan';
import type { SweepSummary } from '../sweep/summary';
import type {
  DecodedEvent,
  LoadPlan,
  ObjectPointer,
  ObjectRef,
  PublishedMessage,
  SweepCommand,
} from '../types';
import { handleJobCompleted } from './job-event';
import { type Done, logRedelivery } from './outcome';
import {
  type ExternalDeps,
  type ExternalMessage,
  handleExternalMessage,
  refuseMessage,
} from './requests/external';
import { handleSweep, isLeftToSweep, LOADED_BY_SWEEP, markSubmitted } from './sweep-event';

export interface HandlerDeps {
  /** Resolves once the rules are loaded; a rejection means the configuration is broken. */
  rules: () => Promise<CompiledRules>;
  runtimeProject: () => Promise<string>;
  insertJob: (plan: LoadPlan) => Promise<{ outcome: 'submitted' | 'duplicate'; job: unknown }>;
  getObject: (pointer: ObjectPointer) => Promise<ObjectRef | undefined>;
  /** Load requests and inline data from other systems (src/pipeline/requests/); absent: refused. */
  external?: ExternalDeps;
  /** Object markers after a per-object load (README: Scheduled sweeps); absent: no markers. */
  markers?: MarkerWriter;
  /** Runs a sweep command (src/sweep/); absent: sweep commands are refused. */
  sweep?: (command: SweepCommand) => Promise<SweepSummary>;
  /** Completion wait, final markers, notifications, post-load actions (README: What happens to my file). */
  outcomes?: OutcomeDeps;
}

/** What the Functions Framework hands us; only these fields are read outside the decoder. */
export interface IncomingEvent {
  id?: string;
  type?: string;
  traceparent?: unknown;
  [key: string]: unknown;
}

export function createHandler(deps: HandlerDeps): (event: IncomingEvent) => Promise<void> {
  return async function autoload(event: IncomingEvent): Promise<void> {
    const base: LogFields = { eventId: str(event?.id), eventType: str(event?.type) };
    const trace = { header: str(event?.traceparent) };
    const done = (severity: 'INFO' | 'WARNING' | 'ERROR', message: string, fields: LogFields) =>
      log(severity, message, { ...base, ...fields }, trace);

    const decoded = decodeEvent(event);
    if (decoded.kind === 'request' || decoded.kind === 'inline' || isRefusedMessage(decoded)) {
      return handleExternal(deps, decoded, done);
    }
    if (decoded.kind === 'ignored' || decoded.kind === 'refused') {
      const severity = decoded.kind === 'refused' ? 'WARNING' : 'INFO';
      done(severity, `event ${decoded.kind}: ${decoded.reason}`, {
        outcome: decoded.kind,
        reason: decoded.reason,
        object: decoded.object,
      });
      return;
    }
    if (decoded.kind === 'sweep') return handleSweep(deps.sweep, decoded.command, done);
    if (decoded.kind === 'job') return handleJobCompleted(deps, decoded.job, done);

    const uri = decoded.kind === 'object' ? gsUri(decoded.object) : gsUri(decoded.pointer);
    // Known once routing succeeds, so a retry line can name the route and job.
    let planned: Pick<LoadPlan, 'route' | 'jobId'> | undefined;
    try {
      const object =
        decoded.kind === 'object' ? decoded.object : await deps.getObject(decoded.pointer);
      if (!object) {
        const reason =
          'object generation no longer exists (overwritten or deleted before it was read)';
        done('INFO', `event ignored: ${reason}`, { outcome: 'ignored', reason, object: uri });
        return;
      }
      const [rules, runtimeProject] = await Promise.all([deps.rules(), deps.runtimeProject()]);
      const decision = planObjectLoad(rulesAccepting(rules, decoded.via), object, {
        runtimeProject,
      });
      if (decision.kind !== 'load') {
        const severity = decision.kind === 'refused' ? 'WARNING' : 'INFO';
        done(severity, `object ${decision.kind}: ${decision.reason}`, {
          outcome: decision.kind,
          reason: decision.reason,
          object: uri,
          route: decision.route,
        });
        return;
      }
      const { plan } = decision;
      planned = plan;
      if (isLeftToSweep(rules, plan.route, decoded.via)) {
        done('INFO', `object ignored: ${LOADED_BY_SWEEP}`, {
          outcome: 'ignored',
          reason: LOADED_BY_SWEEP,
          object: uri,
          route: plan.route,
        });
        return;
      }
      const { outcome, job } = await deps.insertJob(plan);
      const fields = {
        object: uri,
        route: plan.route,
        jobId: plan.jobId,
        destination: destinationOf(plan),
      };
      // jobs.insert answers 200 (and jobs.get after a 409 answers) even for a job that has
      // already failed, e.g. a missing dataset: that is not a success to report.
      const route = rules.routes.find((r) => r.name === plan.route)?.config;
      const failed = jobFailure(job);
      // Routes with outcome options record a failed job on the object instead (below).
      if (failed && !(deps.outcomes && followsOutcomes(route))) {
        const reason = `${outcome === 'duplicate' ? 'the existing job' : 'the job'} failed: ${failed}`;
        done('ERROR', `load failed in BigQuery: ${reason}`, {
          ...fields,
          outcome: 'refused',
          reason,
        });
        return;
      }
      const marker = deps.markers
        ? await markSubmitted(deps.markers, deps.getObject, object, plan.jobId)
        : undefined;
      const after = deps.outcomes
        ? await afterSubmit(deps.outcomes, route, plan, object, job)
        : undefined;
      done(after?.severity ?? 'INFO', after?.message ?? `load job ${outcome}: ${plan.jobId}`, {
        ...fields,
        outcome,
        ...(marker === undefined ? {} : { marker }),
        ...after?.fields,
      });
    } catch (error) {
      const fields = { object: uri, route: planned?.route, jobId: planned?.jobId };
      if (error instanceof PermanentError) {
        // Retrying will not fix it (BigQuery or Cloud Storage said so): acknowledge.
        done('ERROR', `refused: ${error.message}`, {
          ...fields,
          outcome: 'refused',
          reason: error.message,
        });
        return;
      }
      logRedelivery(done, error, fields);
      throw error;
    }
  };
}

type RefusedMessage = Extract<DecodedEvent, { kind: 'refused' }> & { message: PublishedMessage };

function isRefusedMessage(decoded: DecodedEvent): decoded is RefusedMessage {
  return decoded.kind === 'refused' && decoded.message !== undefined;
}

/**
 * Load requests and inline data (src/pipeline/requests/external.ts): refusals are logged,
 * dead-lettered and acknowledged there; anything thrown is redelivered from here.
 */
async function handleExternal(
  deps: HandlerDeps,
  decoded: ExternalMessage | RefusedMessage,
  done: Done,
): Promise<void> {
  const { message } = decoded;
  const publisher = deps.external?.publisher;
  let rules: CompiledRules | undefined;
  try {
    // Both are promises cached per instance; rules first, so a refusal can dead-letter.
    rules = await deps.rules();
    const runtimeProject = await deps.runtimeProject();
    if (decoded.kind === 'refused') {
      return await refuseMessage(publisher, rules, message, decoded.reason, done);
    }
    if (!deps.external) {
      const reason = 'this deployment does not take load requests or inline data';
      return await refuseMessage(publisher, rules, message, reason, done);
    }
    return await handleExternalMessage(deps.external, rules, runtimeProject, decoded, done);
  } catch (error) {
    if (error instanceof PermanentError && rules) {
      // Retrying will not fix it: refused and dead-lettered instead of redelivered forever.
      return refuseExternal(publisher, rules, message, error.message, done);
    }
    logRedelivery(done, error, { topic: message.topic, messageId: message.messageId });
    throw error;
  }
}

/** A refusal whose dead letter cannot be published is redelivered, never dropped. */
async function refuseExternal(
  publisher: ExternalDeps['publisher'] | undefined,
  rules: CompiledRules,
  message: PublishedMessage,
  reason: string,
  done: Done,
): Promise<void> {
  try {
    await refuseMessage(publisher, rules, message, reason, done);
  } catch (error) {
    logRedelivery(done, error, { topic: message.topic, messageId: message.messageId });
    throw error;
  }
}

function gsUri(o: { bucket: string; name: string }): string {
  return `gs://${o.bucket}/${o.name}`;
}

function destinationOf(plan: LoadPlan): string {
  const t = plan.job.configuration.load.destinationTable;
  return `${t.projectId}.${t.datasetId}.${t.tableId}`;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
