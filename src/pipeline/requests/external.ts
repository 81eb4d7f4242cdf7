/**
 * Messages other systems publish — load requests and inline data — from topic check to
 * outcome. The handler calls this and stays the one place deciding ack vs retry: a refusal
 * is logged, dead-lettered (when `deadLetterTopic` is set) and acknowledged (returns); a
 * retryable failure, including a failed dead-letter publish, is thrown (redelivery).
 * README: Load requests and inline data describes the formats and the threat model.
 */

import { sendDeadLetter } from '../../gcp/pubsub/dead-letter';
import type { Publisher } from '../../gcp/pubsub/publisher';
import type { LogFields } from '../../log';
import type { CompiledRules } from '../../routing/compile';
import { namedRoute, topicProblem } from '../../routing/request-plan';
import type { InlineData, LoadRequest, PublishedMessage } from '../../types';
import { type InlineDeps, processInline } from '../inline/handle';
import type { Done } from '../outcome';
import { processLoadRequest, type RequestDeps } from './handle';

export type ExternalDeps = RequestDeps & InlineDeps & { publisher: Publisher };

export type { Done } from '../outcome';

export type ExternalMessage =
  | { kind: 'request'; request: LoadRequest; message: PublishedMessage }
  | { kind: 'inline'; inline: InlineData; message: PublishedMessage };

function messageFields(message: PublishedMessage): LogFields {
  return { topic: message.topic, messageId: message.messageId };
}

/** Logs the refusal (the event's outcome line) and dead-letters the message. */
export async function refuseMessage(
  publisher: Publisher | undefined,
  rules: CompiledRules,
  message: PublishedMessage,
  reason: string,
  done: Done,
  fields: LogFields = {},
): Promise<void> {
  const topic = rules.config.deadLetterTopic;
  let deadLetter: string | undefined;
  if (topic && publisher) {
    // A failure here throws: the message is redelivered rather than dropped.
    deadLetter = await sendDeadLetter(publisher, topic, message, reason);
  }
  done('WARNING', `message refused: ${reason}`, {
    outcome: 'refused',
    reason,
    ...messageFields(message),
    ...fields,
    ...(deadLetter ? { deadLetterTopic: topic, deadLetterMessageId: deadLetter } : {}),
  });
}

export async function handleExternalMessage(
  deps: ExternalDeps,
  rules: CompiledRules,
  runtimeProject: string,
  decoded: ExternalMessage,
  done: Done,
): Promise<void> {
  const { message } = decoded;
  const problem = topicProblem(rules, message.topic);
  if (problem) return refuseMessage(deps.publisher, rules, message, problem, done);
  const ctx = { runtimeProject };

  if (decoded.kind === 'inline') {
    // The message id is half of the job id: without it a redelivery could not be recognized.
    if (!message.messageId) {
      return refuseMessage(deps.publisher, rules, message, 'the message has no id', done);
    }
    const source = {
      topic: message.topic as string,
      messageId: message.messageId,
      publishTime: message.publishTime,
    };
    const result = await processInline(deps, rules, decoded.inline, source, ctx);
    if (result.kind === 'refused') {
      return refuseMessage(deps.publisher, rules, message, result.reason, done, {
        route: result.route,
        jobId: result.jobId,
      });
    }
    const t = result.plan.job.configuration.load.destinationTable;
    done('INFO', `load job ${result.outcome}: ${result.plan.jobId}`, {
      outcome: result.outcome,
      ...messageFields(message),
      object: result.plan.object,
      route: result.plan.route,
      jobId: result.plan.jobId,
      destination: `${t.projectId}.${t.datasetId}.${t.tableId}`,
      bytes: decoded.inline.bytes.length,
    });
    return;
  }

  const route = decoded.request.route;
  if (route !== undefined) {
    // A bad route name refuses the request as a whole, before any object is read.
    const named = namedRoute(rules, route, 'request');
    if ('problem' in named) {
      return refuseMessage(deps.publisher, rules, message, named.problem, done, { route });
    }
  }
  const summary = await processLoadRequest(deps, rules, decoded.request, ctx, (s, m, f) =>
    done(s, m, { ...messageFields(message), requestPart: true, ...f }),
  );
  const counts = {
    submitted: summary.submitted,
    duplicate: summary.duplicate,
    refused: summary.refused,
  };
  const total = summary.submitted + summary.duplicate + summary.refused;
  if (summary.refused > 0 || summary.truncated || total === 0) {
    const why =
      total === 0
        ? 'the request matched no objects'
        : summary.truncated
          ? `more than 10000 objects under the prefix: the first 10000 were processed${summary.refused ? `; ${summary.refused} refused: ${summary.reasons.join('; ')}` : ''}`
          : `${summary.refused} of ${total} objects refused: ${summary.reasons.join('; ')}`;
    return refuseMessage(deps.publisher, rules, message, why, done, { route, objects: counts });
  }
  done(
    'INFO',
    `load request done: ${summary.submitted} submitted, ${summary.duplicate} duplicate`,
    {
      outcome: summary.submitted > 0 ? 'submitted' : 'duplicate',
      ...messageFields(message),
      route,
      objects: counts,
    },
  );
}
