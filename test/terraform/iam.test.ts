// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are Terraform interpolations, not JS templates.
import { type Body, loadModule, MODULE_DIR, type Module } from './hcl';

/**
 * Every IAM binding the module may create: the resource type that scopes it, the role, and
 * whom it is for. A new binding must be added here on purpose, with its narrowest scope.
 */
const ALLOWED: { type: string; role: string; member: string }[] = [
  // Project level, only where the permission exists nowhere narrower (README explains each).
  { type: 'google_project_iam_member', role: 'roles/bigquery.jobUser', member: '${local.runtime}' },
  {
    type: 'google_project_iam_member',
    role: 'roles/eventarc.eventReceiver',
    member: '${local.trigger}',
  },
  {
    type: 'google_project_iam_member',
    role: 'roles/pubsub.publisher',
    member: '${local.gcs_agent}',
  },
  // Dataset level: WRITER is the dataset role equal to roles/bigquery.dataEditor.
  {
    type: 'google_bigquery_dataset_access',
    role: 'WRITER',
    member: 'user_by_email:${google_service_account.runtime.email}',
  },

  // Bucket level.
  {
    type: 'google_storage_bucket_iam_member',
    role: 'roles/storage.objectViewer',
    member: '${local.runtime}',
  },
  {
    type: 'google_storage_bucket_iam_member',
    role: 'roles/storage.objectUser',
    member: '${local.runtime}',
  },
  {
    type: 'google_storage_bucket_iam_member',
    role: 'roles/storage.objectCreator',
    member: '${local.runtime}',
  },
  // Topic and subscription level.
  {
    type: 'google_pubsub_topic_iam_member',
    role: 'roles/pubsub.publisher',
    member: '${local.runtime}',
  },
  {
    type: 'google_pubsub_topic_iam_member',
    role: 'roles/pubsub.publisher',
    member: '${local.gcs_agent}',
  },
  {
    type: 'google_pubsub_topic_iam_member',
    role: 'roles/pubsub.publisher',
    member: '${local.pubsub_agent}',
  },
  {
    type: 'google_pubsub_topic_iam_member',
    role: 'roles/pubsub.publisher',
    member: '${each.value}',
  },
  {
    type: 'google_pubsub_subscription_iam_member',
    role: 'roles/pubsub.subscriber',
    member: '${local.pubsub_agent}',
  },
  // Service level: invoking the loader's Cloud Run service only.
  {
    type: 'google_cloud_run_v2_service_iam_member',
    role: 'roles/run.invoker',
    member: '${local.trigger}',
  },
  // One service account: the trigger identity.
  {
    type: 'google_service_account_iam_member',
    role: 'roles/iam.serviceAccountTokenCreator',
    member: '${local.pubsub_agent}',
  },
];

let tf: Module;
beforeAll(async () => {
  tf = await loadModule(MODULE_DIR);
});

/** Every grant: IAM resources, and dataset access entries (BigQuery's own dataset ACL). */
function iamBindings(module: Module): { type: string; name: string; body: Body }[] {
  return Object.entries(module.resources)
    .filter(
      ([type]) =>
        /_iam_(member|binding|policy)$/.test(type) || type === 'google_bigquery_dataset_access',
    )
    .flatMap(([type, byName]) =>
      Object.entries(byName).map(([name, body]) => ({ type, name, body })),
    );
}

function memberOf(body: Body): unknown {
  return (
    body.member ?? (body.user_by_email ? `user_by_email:${String(body.user_by_email)}` : undefined)
  );
}

describe('IAM', () => {
  it('creates bindings at all (the allowlist below is not vacuous)', () => {
    expect(iamBindings(tf).length).toBeGreaterThanOrEqual(10);
  });

  it('uses only additive *_iam_member resources, never authoritative bindings or policies', () => {
    const authoritative = iamBindings(tf).filter(
      (b) => !b.type.endsWith('_iam_member') && b.type !== 'google_bigquery_dataset_access',
    );
    expect(authoritative).toEqual([]);
  });

  it('binds only allowlisted role, scope and member combinations', () => {
    const unexpected = iamBindings(tf)
      .map(({ type, name, body }) => ({ type, name, role: body.role, member: memberOf(body) }))
      .filter(
        (b) =>
          !ALLOWED.some((a) => a.type === b.type && a.role === b.role && a.member === b.member),
      );
    expect(unexpected).toEqual([]);
  });

  it('grants every role as a literal, so review and this test see exactly what is granted', () => {
    const computed = iamBindings(tf).filter(
      (b) => !/^(roles\/[A-Za-z.]+|WRITER)$/.test(String(b.body.role)),
    );
    expect(computed).toEqual([]);
  });

  it.each([
    ['runtime_job_user', 'roles/bigquery.jobUser'],
    ['trigger_event_receiver', 'roles/eventarc.eventReceiver'],
    ['gcs_agent_eventarc_publisher', 'roles/pubsub.publisher'],
  ])('keeps project-level binding %s (%s), which has no narrower scope', (name, role) => {
    expect(tf.resources.google_project_iam_member?.[name]?.role).toBe(role);
  });

  it('has no other project-level binding', () => {
    expect(Object.keys(tf.resources.google_project_iam_member ?? {}).sort()).toEqual([
      'gcs_agent_eventarc_publisher',
      'runtime_job_user',
      'trigger_event_receiver',
    ]);
  });

  it('creates the Eventarc-only project bindings only when an Eventarc trigger exists', () => {
    const project = tf.resources.google_project_iam_member ?? {};
    expect(project.trigger_event_receiver?.count).toBe('${local.uses_eventarc ? 1 : 0}');
    expect(project.gcs_agent_eventarc_publisher?.count).toBe(
      '${length(local.eventarc_buckets) > 0 ? 1 : 0}',
    );
  });

  it('mentions no owner, editor or admin role anywhere in the module', () => {
    for (const [file, text] of Object.entries(tf.texts)) {
      const broad = text.match(/roles\/(owner|editor|[A-Za-z.]*[Aa]dmin[A-Za-z.]*)/g) ?? [];
      expect({ file, broad }).toEqual({ file, broad: [] });
    }
  });

  it('gives landing buckets object write only when write_access asks for it', () => {
    const text = tf.texts['iam.tf'] ?? '';
    expect(text).toMatch(
      /read_buckets\s*=\s*toset\(\[for name, b in var.landing_buckets : name if !b.write_access\]\)/,
    );
    expect(text).toMatch(
      /write_buckets\s*=\s*toset\(\[for name, b in var.landing_buckets : name if b.write_access\]\)/,
    );
    const buckets = tf.resources.google_storage_bucket_iam_member ?? {};
    expect(buckets.runtime_landing_write?.for_each).toBe('${local.write_buckets}');
    expect(buckets.runtime_landing_read?.for_each).toBe('${local.read_buckets}');
  });

  it('limits rules-file reads to the rules folder with an IAM condition', () => {
    const rules = tf.resources.google_storage_bucket_iam_member?.runtime_rules_read ?? {};
    const [condition] = (rules.condition as Body[] | undefined) ?? [];
    expect(String(condition?.expression)).toMatch(
      /^resource\.name\.startsWith\("projects\/_\/buckets\//,
    );
  });

  it('scopes the Pub/Sub service agent to the dead-letter topic and each push subscription', () => {
    const topic = tf.resources.google_pubsub_topic_iam_member?.pubsub_agent_dead_letter_publisher;
    expect(topic?.topic).toBe('${google_pubsub_topic.dead_letter[0].name}');
    const subscription =
      tf.resources.google_pubsub_subscription_iam_member?.pubsub_agent_subscriber;
    expect(subscription?.for_each).toBe('${local.push_sources}');
    expect(subscription?.subscription).toBe('${google_pubsub_subscription.push[each.key].name}');
  });

  it('lets the runtime publish to the requests topic (chunks of big requests) only with requests', () => {
    const grant = tf.resources.google_pubsub_topic_iam_member?.runtime_requests_publisher;
    expect(grant).toMatchObject({
      count: '${var.requests.enabled ? 1 : 0}',
      topic: '${google_pubsub_topic.requests[0].name}',
      role: 'roles/pubsub.publisher',
      member: '${local.runtime}',
    });
  });

  it('grants dataset access without dataset IAM resources, which would drop authorized views', () => {
    expect(tf.resources.google_bigquery_dataset_iam_member).toBeUndefined();
    expect(tf.resources.google_bigquery_dataset_iam_binding).toBeUndefined();
    expect(tf.resources.google_bigquery_dataset_iam_policy).toBeUndefined();
    expect(tf.resources.google_bigquery_dataset_access?.runtime_writer?.for_each).toBe(
      '${local.datasets}',
    );
  });

  it('uses two dedicated service accounts and no default compute identity', () => {
    expect(Object.keys(tf.resources.google_service_account ?? {}).sort()).toEqual([
      'runtime',
      'trigger',
    ]);
    const all = Object.values(tf.texts).join('\n');
    expect(all).not.toMatch(
      /-compute@developer\.gserviceaccount\.com|@appspot\.gserviceaccount\.com/,
    );
  });
});
