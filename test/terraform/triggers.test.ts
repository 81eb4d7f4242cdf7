// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are Terraform interpolations, not JS templates.
import { blocks, loadModule, MODULE_DIR, type Module, single } from './hcl';

let tf: Module;
beforeAll(async () => {
  tf = await loadModule(MODULE_DIR);
});

function criteria(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    blocks(body, 'matching_criteria').map((c) => [String(c.attribute), String(c.value)]),
  );
}

describe('Eventarc triggers', () => {
  it.each([
    [
      'object_finalized',
      { type: 'google.cloud.storage.object.v1.finalized', bucket: '${each.key}' },
    ],
    [
      'job_completed',
      {
        type: 'google.cloud.audit.log.v1.written',
        serviceName: 'bigquery.googleapis.com',
        methodName: '${var.completion_trigger.method_name}',
      },
    ],
  ])('%s filters on exactly its event type and attributes', (name, expected) => {
    const trigger = tf.resources.google_eventarc_trigger?.[name];
    expect(trigger).toBeDefined();
    expect(criteria(trigger ?? {})).toEqual(expected);
  });

  it('has only the two expected triggers', () => {
    expect(Object.keys(tf.resources.google_eventarc_trigger ?? {}).sort()).toEqual([
      'job_completed',
      'object_finalized',
    ]);
  });

  it.each(['object_finalized', 'job_completed'])(
    '%s keeps retries on (no retry_policy, whose only accepted max_attempts is 1 = never retry)',
    (name) => {
      const trigger = tf.resources.google_eventarc_trigger?.[name] ?? {};
      expect(trigger.retry_policy).toBeUndefined();
      expect(tf.texts['triggers.tf']).toMatch(/Retry, on purpose/);
    },
  );

  it.each(['object_finalized', 'job_completed'])(
    '%s invokes the loader service as the trigger service account',
    (name) => {
      const trigger = tf.resources.google_eventarc_trigger?.[name] ?? {};
      expect(trigger.service_account).toBe('${google_service_account.trigger.email}');
      const run = single(
        single(trigger.destination, 'destination').cloud_run_service,
        'cloud_run_service',
      );
      expect(run.service).toBe('${local.service_name}');
    },
  );

  it('matches BigQuery InsertJob audit entries unless told to use the legacy jobcompleted', () => {
    const completion = String(tf.variables.completion_trigger?.type);
    expect(completion).toMatch(
      /method_name\s*=\s*optional\(string, "google\.cloud\.bigquery\.v2\.JobService\.InsertJob"\)/,
    );
  });

  it('creates the completion trigger only when asked to', () => {
    expect(tf.resources.google_eventarc_trigger?.job_completed?.count).toBe(
      '${var.completion_trigger.enabled ? 1 : 0}',
    );
  });
});

describe('Pub/Sub push subscriptions', () => {
  const push = () => tf.resources.google_pubsub_subscription?.push ?? {};

  it('retries with bounded exponential backoff', () => {
    const retry = single(push().retry_policy, 'retry_policy');
    expect(retry.minimum_backoff).toBe('${var.dead_letter.minimum_backoff}s');
    expect(retry.maximum_backoff).toBe('${var.dead_letter.maximum_backoff}s');
  });

  it("dead-letters to the module's own topic after a bounded number of attempts", () => {
    const policy = single(push().dead_letter_policy, 'dead_letter_policy');
    expect(policy.dead_letter_topic).toBe('${google_pubsub_topic.dead_letter[0].id}');
    expect(policy.max_delivery_attempts).toBe('${var.dead_letter.max_delivery_attempts}');
  });

  it('pushes to the topic path with an OIDC token of the trigger identity', () => {
    const config = single(push().push_config, 'push_config');
    expect(config.push_endpoint).toBe('${local.service_uri}/${each.value}');
    const token = single(config.oidc_token, 'oidc_token');
    expect(token.service_account_email).toBe('${google_service_account.trigger.email}');
    expect(token.audience).toBe('${local.service_uri}');
  });

  it.each([
    ['requests', 'google_pubsub_topic.requests[0].id', 'var.requests.enabled'],
    ['sweep', 'google_pubsub_topic.sweep[0].id', 'var.sweep.enabled'],
    ['gcs', 'google_pubsub_topic.gcs_notifications[0].id', 'local.notification_enabled'],
  ])('delivers the %s topic, only when its switch is on', (key, topic, switchExpr) => {
    const text = tf.texts['pubsub.tf'] ?? '';
    expect(text).toContain(`${switchExpr} ? { ${key} = ${topic} } : {}`);
  });

  it('keeps dead letters in a pull subscription that never expires', () => {
    const keep = tf.resources.google_pubsub_subscription?.dead_letter ?? {};
    expect(keep.topic).toBe('${google_pubsub_topic.dead_letter[0].id}');
    expect(keep.push_config).toBeUndefined();
    expect(single(keep.expiration_policy, 'expiration_policy').ttl).toBe('');
  });

  it('asks GCS for finalize notifications only, with the object resource as payload', () => {
    const notification = tf.resources.google_storage_notification?.finalize ?? {};
    expect(notification.event_types).toEqual(['OBJECT_FINALIZE']);
    expect(notification.payload_format).toBe('JSON_API_V1');
  });
});

describe('scheduled sweep', () => {
  it('publishes a sweep command to the sweep topic, only when enabled', () => {
    const job = tf.resources.google_cloud_scheduler_job?.sweep ?? {};
    expect(job.count).toBe('${var.sweep.enabled ? 1 : 0}');
    const target = single(job.pubsub_target, 'pubsub_target');
    expect(target.topic_name).toBe('${google_pubsub_topic.sweep[0].id}');
    expect(String(target.data)).toMatch(
      /kind = "sweep", minAgeSeconds = var\.sweep\.min_age_seconds/,
    );
  });
});
