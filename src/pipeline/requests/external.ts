/**
 * Messages other systems publish — load requests and inline data — from topic check to
 * outcome. A refusal is returned as an outcome that settle.ts dead-letters (when
 * `deadLetterTopic` is set) and acknowledges; failures are thrown to it.
 * docs/requests.md describes the formats and the threat model.
 */

import type { LogFields } from '../../log';
import type { CompiledRules } from '../../routing/compile';
import { namedRoute, topicProblem } from '../../routing/request-plan';
import type { InlineData, LoadRequest, PublishedMessage } from '../../types';
import { type EventOutcome, refusedMessage, type Trail } from '../event-outcome';
import { type InlineDeps, processInline } from '../inline/handle';
import { destinationOf } from '../object-load';
import type { LineWriter } from '../settle';
import {
  processLoadRequest,
  type RequestContext,
  type RequestDeps,
  type RequestSummary,
} from './handle';

export type ExternalDeps = RequestDeps & InlineDeps;

export type ExternalMessage =
  | { kind: 'request'; request: LoadRequest; message: PublishedMessage }
  | { kind: 'inline'; inline: InlineData; message: PublishedMessage };

export function messageFields(message: PublishedMessage): LogFields {
  return { topic: message.topic, messageId: message.messageId };
}

export async function handleExternalMessage(
  deps: ExternalDeps,
  rules: CompiledRules,
  runtimeProject: string,
  decoded: ExternalMessage,
  logPart: LineWriter,
  trail: Trail,
): Promise<EventOutcome> {
  const { message } = decoded;
  const problem = topicProblem(rules, message.topic);
  if (problem) return refusedMessage(problem);
  const ctx = { runtimeProject };

  if (decoded.kind === 'inline') {
    // The message id is half of the job id: without it a redelivery could not be recognized.
    if (!message.messageId) return refusedMessage('the message has no id');
    const source = {
      topic: message.topic as string,
      messageId: message.messageId,
      publishTime: message.publishTime,
    };
    const result = await processInline(deps, rules, decoded.inline, source, ctx, trail);
    if (result.kind === 'refused') {
      return refusedMessage(result.reason, { route: result.route, jobId: result.jobId });
    }
    return {
      severity: 'INFO',
      message: `load job ${result.outcome}: ${result.plan.jobId}`,
      fields: {
        outcome: result.outcome,
        object: result.plan.object,
        route: result.plan.route,
        jobId: result.plan.jobId,
        destination: destinationOf(result.plan),
        bytes: decoded.inline.bytes.length,
      },
    };
  }
  const { request } = decoded;
  // Every line of a chunk of a fanned-out request names its chunk (docs/requests.md: Big requests).
  const chunk = request.chunk === undefined ? {} : { chunk: request.chunk };
  const source = { ...ctx, topic: message.topic as string, messageId: message.messageId };
  const outcome = await handleLoadRequest(deps, rules, request, source, (s, m, f) =>
    logPart(s, m, { ...messageFields(message), requestPart: true, ...chunk, ...f }),
  );
  return { ...outcome, fields: { ...outcome.fields, ...chunk } };
}

async function handleLoadRequest(
  deps: ExternalDeps,
  rules: CompiledRules,
  request: LoadRequest,
  ctx: RequestContext,
  logPart: LineWriter,
): Promise<EventOutcome> {
  const route = request.route;
  if (route !== undefined) {
    // A bad route name refuses the request as a whole, before any object is read.
    const named = namedRoute(rules, route, 'request');
    if ('problem' in named) return refusedMessage(named.problem, { route });
  }
  const summary = await processLoadRequest(deps, rules, request, ctx, logPart);
  if (summary.fannedOut) return fannedOutcome(summary, route);
  const counts = {
    submitted: summary.submitted,
    duplicate: summary.duplicate,
    refused: summary.refused,
    ...(request.retry ? { unchanged: summary.unchanged } : {}),
  };
  const total = summary.submitted + summary.duplicate + summary.refused + summary.unchanged;
  if (request.retry && total === 0) {
    const reason = 'no object under the prefix carries an unfinished or failed load';
    return {
      severity: 'INFO',
      message: `retry request: ${reason}`,
      fields: { outcome: 'ignored', reason },
    };
  }
  if (summary.refused > 0 || summary.truncated || total === 0) {
    const why =
      total === 0
        ? 'the request matched no objects'
        : summary.truncated
          ? `more than 10000 objects under the prefix: the first 10000 were processed${summary.refused ? `; ${summary.refused} refused: ${summary.reasons.join('; ')}` : ''}`
          : `${summary.refused} of ${total} objects refused: ${summary.reasons.join('; ')}`;
    return refusedMessage(why, { route, objects: counts });
  }
  const done = `${request.retry ? 'retry' : 'load'} request done: ${summary.submitted} submitted, ${summary.duplicate} duplicate${request.retry ? `, ${summary.unchanged} unchanged` : ''}`;
  return {
    severity: 'INFO',
    message: done,
    fields: { outcome: requestOutcome(summary), route, objects: counts },
  };
}

function requestOutcome(summary: RequestSummary): 'submitted' | 'duplicate' | 'ignored' {
  if (summary.submitted > 0) return 'submitted';
  return summary.duplicate > 0 ? 'duplicate' : 'ignored';
}

/** The parent of a fanned-out request: one line; its chunks log their own (fan-out.ts). */
function fannedOutcome(summary: RequestSummary, route: string | undefined): EventOutcome {
  const { parent, chunks, objects } = summary.fannedOut as NonNullable<RequestSummary['fannedOut']>;
  const fields = { route, chunkParent: parent, chunks, chunkedObjects: objects };
  if (summary.truncated) {
    const why = `more than 10000 objects under the prefix: the first 10000 were published in ${chunks} chunks`;
    return refusedMessage(why, fields);
  }
  return {
    severity: 'INFO',
    message: `load request fanned out: ${objects} objects in ${chunks} chunks`,
    fields: { outcome: 'fanned-out', ...fields },
  };
}
