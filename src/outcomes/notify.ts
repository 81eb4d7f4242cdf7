/**
 * The notification for one finished load (route option `notifyTopic`): JSON data for
 * downstream systems, plus attributes they can filter subscriptions on.
 * https://cloud.google.com/pubsub/docs/subscription-message-filter
 */
import type { OutgoingMessage } from '../gcp/pubsub/publisher';
import { truncateUtf8 } from '../gcp/pubsub/publisher';
import type { FinishedJob } from './job-result';

export interface LoadNotification {
  route: string;
  objects: string[];
  destination: string;
  jobId: string;
  state: 'loaded' | 'failed';
  rows?: string;
  bytes?: string;
  /** `reason: message` of a failed load. */
  error?: string;
  /** The job's error list (row problems, also on success). */
  errors: { reason?: string; message?: string; location?: string }[];
}

export function loadNotification(
  load: { route: string; objects: string[]; destination: string; jobId: string },
  result: FinishedJob,
): LoadNotification {
  return {
    ...load,
    state: result.state,
    ...(result.rows === undefined ? {} : { rows: result.rows }),
    ...(result.bytes === undefined ? {} : { bytes: result.bytes }),
    ...(result.state === 'failed' ? { error: result.reason } : {}),
    // A failed CSV can list thousands of rows; the first 20 say enough.
    errors: result.errors.slice(0, 20),
  };
}

export function notificationMessage(notification: LoadNotification): OutgoingMessage {
  return {
    data: Buffer.from(JSON.stringify(notification)).toString('base64'),
    attributes: {
      route: notification.route,
      state: notification.state,
      jobId: truncateUtf8(notification.jobId),
      destination: truncateUtf8(notification.destination),
    },
  };
}
