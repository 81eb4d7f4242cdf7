/**
 * Rules-file keys of a route for what happens after its load (docs/outcomes.md: What happens to my file): waiting
 * for the job in-process, post-load actions and the notification topic. Pure zod, imported
 * by src/config/schema.ts.
 */
import * as z from 'zod';
import { FOLDER_URI } from '../core/gs-uri';

const TOPIC = /^projects\/[^/]+\/topics\/[^/]+$/;

export const MAX_WAIT_SECONDS = 3_000;

export const WaitSchema = z
  .strictObject({
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      // The function's own request timeout bounds any wait (Cloud Run allows up to 60 min).
      .max(MAX_WAIT_SECONDS)
      .default(60)
      .describe(
        'How long to poll jobs.get for the load to finish before leaving it to events or sweeps.',
      ),
  })
  .describe(
    'Wait in-process for each load job to finish (simple set-ups without audit-log events).',
  );

const target = z
  .string()
  .regex(FOLDER_URI, 'expected gs://BUCKET/ or gs://BUCKET/PREFIX/ (ending in /)')
  .describe('Where the object goes: its name is appended to this prefix.');

export const OnSuccessSchema = z
  .strictObject({
    action: z
      .enum(['keep', 'delete', 'move'])
      .describe('`move` needs `to`. Without `onSuccess` the object is kept.'),
    to: target.optional(),
  })
  .refine((a) => (a.action === 'move') === (a.to !== undefined), {
    message: '`to` is required with action move, and only then',
    path: ['to'],
  })
  .describe('After a successful load: keep, delete or move the source object.');

export const OnFailureSchema = z
  .strictObject({
    action: z
      .enum(['keep', 'move'])
      .describe('`move` needs `to`. Without `onFailure` the object is kept.'),
    to: target.optional(),
  })
  .refine((a) => (a.action === 'move') === (a.to !== undefined), {
    message: '`to` is required with action move, and only then',
    path: ['to'],
  })
  .describe('After a failed load: keep the source object or move it to a quarantine prefix.');

export const NotifyTopicSchema = z
  .string()
  .regex(TOPIC, 'expected projects/PROJECT/topics/TOPIC')
  .describe('Receives one message per finished load (docs/outcomes.md: Route options).');

/** Load a copy of the claimed generation (src/outcomes/snapshot.ts); mode object only. */
const SnapshotSchema = z
  .boolean()
  .describe(
    'mode object only: copy the claimed generation to gs://BUCKET/.bq-autoloader/snapshots/JOB_ID/NAME and load the copy, so an overwrite while the job waits cannot change the bytes loaded (one extra copy per object; the copy is deleted once the job is finished). Default false.',
  );

export const outcomeRouteShape = {
  snapshot: SnapshotSchema.optional(),
  wait: WaitSchema.optional(),
  onSuccess: OnSuccessSchema.optional(),
  onFailure: OnFailureSchema.optional(),
  notifyTopic: NotifyTopicSchema.optional(),
};

export type OnSuccess = z.infer<typeof OnSuccessSchema>;
export type OnFailure = z.infer<typeof OnFailureSchema>;
