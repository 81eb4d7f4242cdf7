/**
 * Sweep commands: what Cloud Scheduler publishes to Pub/Sub to start a scheduled sweep.
 * `{"kind": "sweep", "routes": ["name"], "minAgeSeconds": 300, "dryRun": false}`, every key
 * but `kind` optional. https://cloud.google.com/scheduler/docs/creating#pubsub
 */
import * as z from 'zod';
import type { DecodedEvent, SweepCommand } from '../types';
import type { CloudEvent } from './cloudevent';
import { publishedMessageOf } from './load-request';
import { messageJson, type PubsubMessage } from './pubsub-message';
import { describeIssues } from './reasons';

export const DEFAULT_MIN_AGE_SECONDS = 300;

export const SweepCommandSchema = z.strictObject({
  kind: z.literal('sweep'),
  routes: z.array(z.string().min(1).max(63)).min(1).optional(),
  minAgeSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(DEFAULT_MIN_AGE_SECONDS),
  /**
   * Catch-up looks no further back than this. Bounded: deterministic job ids only dedupe
   * while BigQuery still remembers them, so a command must not reach arbitrarily far back
   * (an explicit load request is the tool for old objects).
   */
  maxAgeSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .optional(),
  dryRun: z.boolean().default(false),
  /** The tick's id, recorded in the bucket leases; default: the Pub/Sub message id. */
  token: z
    .string()
    .regex(/^[\w.:-]{1,128}$/)
    .optional(),
});

/** A message is a sweep command when its data is a JSON object with `kind: "sweep"`. */
export function isSweepCommand(message: PubsubMessage): boolean {
  const json = commandJson(message);
  return json !== null && typeof json === 'object' && (json as { kind?: unknown }).kind === 'sweep';
}

export function decodeSweepCommand(message: PubsubMessage, event: CloudEvent): DecodedEvent {
  const parsed = SweepCommandSchema.safeParse(commandJson(message));
  if (!parsed.success) {
    // With the message: a command that can never run is dead-lettered, not only logged.
    return {
      kind: 'refused',
      reason: `invalid sweep command: ${describeIssues(parsed.error, 'data.message.data')}`,
      message: publishedMessageOf(message, event),
    };
  }
  const { kind: _kind, token, ...rest } = parsed.data;
  const tick = token ?? message.messageId;
  const command: SweepCommand = { ...rest, ...(tick ? { token: tick } : {}) };
  return { kind: 'sweep', command };
}

function commandJson(message: PubsubMessage): unknown {
  if ((message.data?.length ?? 0) > 88 * 1024) return undefined; // 64 KiB, as base64
  const data = messageJson(message);
  return 'json' in data ? data.json : undefined;
}
