/**
 * The per-event pipeline: decode → (object | request | inline | sweep | completion) step →
 * settle. Each step returns an EventOutcome or throws; settle.ts alone turns that into the
 * event's one log line and the acknowledgement (return) or redelivery (throw).
 */
import { decodeEvent } from '../events/decode';
import { type LogFields, log } from '../log';
import type { OutcomeDeps } from '../outcomes/after-submit';
import { inputTopicProblem } from '../routing/request-plan';
import type { SweepSummary } from '../sweep/summary';
import type { DecodedEvent, SweepCommand } from '../types';
import {
  type EventOutcome,
  ignoredOutcome,
  refusedMessage,
  refusedOutcome,
  type Trail,
} from './event-outcome';
import { finishJobEvent } from './job-event';
import { loadObjectEvent, type ObjectLoadDeps } from './object-load';
import { type ExternalDeps, handleExternalMessage, messageFields } from './requests/external';
import { type DeadLetterDeps, type LineWriter, settle } from './settle';
import { runSweepCommand } from './sweep-event';

export interface HandlerDeps extends ObjectLoadDeps {
  /** Load requests and inline data from other systems (src/pipeline/requests/); absent: refused. */
  external?: ExternalDeps;
  /** Runs a sweep command (src/sweep/); absent: sweep commands are refused. */
  sweep?: (command: SweepCommand) => Promise<SweepSummary>;
  /** Completion wait, final markers, notifications, post-load actions. */
  outcomes?: OutcomeDeps;
  /** Publishing refused messages to `deadLetterTopic`; absent: refusals are only logged. */
  deadLetters?: DeadLetterDeps;
  /**
   * Runs one event inside its retry budget (src/gcp/budget.ts): every call made for it —
   * dead letters included — shares one deadline. Default: as is.
   */
  withEventBudget?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** What the Functions Framework hands us; only these fields are read outside the decoder. */
export interface IncomingEvent {
  id?: string;
  type?: string;
  traceparent?: unknown;
  [key: string]: unknown;
}

export function createHandler(deps: HandlerDeps): (event: IncomingEvent) => Promise<void> {
  const budget = deps.withEventBudget ?? ((work) => work());
  // Cloud Logging groups a trace's lines only under `projects/P/traces/T`: the project is
  // the runtime's, known once the first event has asked for it (the pipeline needs it too).
  let traceProject: string | undefined;
  return async function autoload(event: IncomingEvent): Promise<void> {
    const base: LogFields = { eventId: str(event?.id), eventType: str(event?.type) };
    const header = str(event?.traceparent);
    if (header && traceProject === undefined) {
      deps.runtimeProject().then(
        (project) => {
          traceProject = project;
        },
        () => undefined,
      );
    }
    const trace = {
      header,
      get projectId() {
        return traceProject;
      },
    };
    const write: LineWriter = (severity, message, fields) =>
      log(severity, message, { ...base, ...fields }, trace);
    const trail: Trail = { fields: {} };
    const run = () => runStep(deps, decodeEvent(event), trail, write);
    await budget(() => settle(run, trail, deps.deadLetters, write));
  };
}

async function runStep(
  deps: HandlerDeps,
  decoded: DecodedEvent,
  trail: Trail,
  write: LineWriter,
): Promise<EventOutcome> {
  const source = await sourceProblem(deps, decoded);
  if (source) return source;
  switch (decoded.kind) {
    case 'object':
    case 'pointer':
      return loadObjectEvent(deps, decoded, trail);
    case 'request':
    case 'inline':
      return runExternal(deps, decoded, trail, write);
    case 'sweep':
      return runSweepCommand(deps.sweep, decoded.command);
    case 'job':
      return finishJobEvent(deps.rules, deps.runtimeProject, deps.outcomes, decoded.job, trail);
    case 'refused':
      if (decoded.message) return runExternal(deps, decoded, trail, write);
      return refusedOutcome('event', decoded.reason, { object: decoded.object });
    case 'ignored':
      return ignoredOutcome('event', decoded.reason, { object: decoded.object });
  }
}

/** Notifications and sweep commands from a topic the rules do not allow: refused first. */
async function sourceProblem(
  deps: HandlerDeps,
  decoded: DecodedEvent,
): Promise<EventOutcome | undefined> {
  if (!('topic' in decoded)) return undefined;
  const kind = decoded.kind === 'sweep' ? 'sweep' : 'notification';
  const problem = inputTopicProblem(await deps.rules(), kind, decoded.topic);
  return problem
    ? refusedOutcome(kind === 'sweep' ? 'sweep command' : 'notification', problem)
    : undefined;
}

type MessageEvent = Extract<DecodedEvent, { kind: 'request' | 'inline' | 'refused' }>;

/** Requests and inline data: the rules first, so a refusal can be dead-lettered. */
async function runExternal(
  deps: HandlerDeps,
  decoded: MessageEvent,
  trail: Trail,
  write: LineWriter,
): Promise<EventOutcome> {
  const message = decoded.message;
  if (!message) return refusedOutcome('event', 'not a message');
  trail.message = message;
  Object.assign(trail.fields, messageFields(message));
  const rules = await deps.rules();
  trail.deadLetterTopic = rules.config.deadLetterTopic;
  trail.deadLetterStore = rules.config.deadLetterStore;
  if (decoded.kind === 'refused') return refusedMessage(decoded.reason);
  if (!deps.external) {
    return refusedMessage('this deployment does not take load requests or inline data');
  }
  const runtimeProject = await deps.runtimeProject();
  return handleExternalMessage(deps.external, rules, runtimeProject, decoded, write, trail);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
