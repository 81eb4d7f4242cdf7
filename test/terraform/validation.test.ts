/**
 * The validation blocks really run: the variable files alone are a provider-free module, so
 * `terraform plan` evaluates every condition here offline. Each bad input must fail with
 * its own message, and realistic inputs must pass (a condition that errors on null or on
 * a default would fail them).
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODULE_DIR, VARIABLE_FILES } from './hcl';
import { terraform } from './terraform-cli';

const BASE = {
  project_id: 'my-project',
  region: 'europe-west1',
  source_dir: '.',
  rules: { path_in_source: './autoloader.yaml' },
  landing_buckets: { 'landing-prod': {} },
  destination_datasets: [{ dataset_id: 'raw' }],
};

let dir: string;
let counter = 0;

async function plan(overrides: Record<string, unknown>): Promise<{ code: number; output: string }> {
  counter += 1;
  const varFile = join(dir, `case-${counter}.tfvars.json`);
  writeFileSync(varFile, JSON.stringify({ ...BASE, ...overrides }));
  const result = await terraform(
    ['plan', '-input=false', '-lock=false', '-no-color', '-refresh=false', `-var-file=${varFile}`],
    dir,
  );
  // Terraform wraps long messages: compare with whitespace collapsed.
  return { code: result.code, output: `${result.stdout}${result.stderr}`.replace(/[\s│]+/g, ' ') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-variables-'));
  for (const file of VARIABLE_FILES) copyFileSync(join(MODULE_DIR, file), join(dir, file));
  const init = await terraform(['init', '-backend=false', '-input=false', '-no-color'], dir);
  if (init.code !== 0) throw new Error(`terraform init failed: ${init.stderr}`);
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ACCEPTED: [string, Record<string, unknown>][] = [
  ['the minimal inputs', {}],
  [
    'every optional feature switched on',
    {
      name: 'loader-prod',
      rules: {
        upload: { file: 'autoloader.yaml', schema_files: { 'schemas/a.json': 'a.json' } },
      },
      function: {
        memory_mib: 1024,
        cpu: '2',
        timeout_seconds: 540,
        min_instances: 1,
        max_instances: 50,
        concurrency: 40,
      },
      landing_buckets: {
        'landing-prod': { write_access: true, trigger_location: 'eu' },
        'landing.events_2': { delivery: 'pubsub', object_prefix: 'events/' },
      },
      destination_datasets: [
        { dataset_id: 'raw' },
        { dataset_id: 'staging_1', project: 'other-project' },
      ],
      archive_buckets: ['archive-prod'],
      requests: { enabled: true, publishers: ['serviceAccount:app@p.iam.gserviceaccount.com'] },
      sweep: { enabled: true, schedule: '0 * * * *', routes: ['sales'], min_age_seconds: 0 },
      completion_trigger: { enabled: true, location: 'eu', method_name: 'jobservice.jobcompleted' },
      notify: { enabled: true },
      dead_letter: {
        max_delivery_attempts: 5,
        retention_seconds: 600,
        minimum_backoff: 0,
        maximum_backoff: 600,
      },
      build_service_account: 'projects/p/serviceAccounts/build@p.iam.gserviceaccount.com',
      labels: { team: 'data', env: 'prod' },
    },
  ],
  [
    'Trusted Cloud by S3NS: its universe, a prefixed project and its region',
    {
      project_id: 's3ns:example-project',
      region: 'u-france-east1',
      universe_domain: 's3nsapis.fr',
    },
  ],
  ['a domain-scoped project', { project_id: 'example.com:my-project' }],
  ['the default universe named explicitly', { universe_domain: 'googleapis.com' }],
  [
    'a Pub/Sub service agent given by the platform',
    { pubsub_service_agent: 'service-123456789012@agents.example.com' },
  ],
  [
    'a completion trigger in a multi-word region',
    { completion_trigger: { location: 'u-france-east1' } },
  ],
  ['a gs:// rules file', { rules: { gcs_uri: 'gs://config-bucket/loader/autoloader.yaml' } }],
  [
    'an existing staging dataset in another project, kept a month',
    {
      staging_dataset: {
        create: false,
        project: 's3ns:data-project',
        dataset_id: 'Loader_Staging_2',
        location: 'u-france-east1',
        table_expiration_hours: 720,
      },
    },
  ],
  ['a staging dataset expiring after an hour', { staging_dataset: { table_expiration_hours: 1 } }],
  [
    'a staging dataset id of 1024 characters',
    { staging_dataset: { dataset_id: 'a'.repeat(1024) } },
  ],
  [
    'a single-CPU-fraction function without concurrency',
    { function: { cpu: '0.583', concurrency: 1 } },
  ],
];

const REFUSED: [Record<string, unknown>, string][] = [
  [{ project_id: '123456789012' }, 'project_id must be a project ID'],
  [{ project_id: 's3ns:' }, 'project_id must be a project ID'],
  [{ project_id: 'S3NS:example-project' }, 'project_id must be a project ID'],
  [{ project_id: 's3ns:example-project:x' }, 'project_id must be a project ID'],
  [{ region: 'EU' }, 'region must be a Cloud Run region'],
  [{ region: 'u-france' }, 'region must be a Cloud Run region'],
  [{ universe_domain: 'https://s3nsapis.fr' }, 'universe_domain must be a lowercase domain name'],
  [{ universe_domain: 's3nsapis.fr/' }, 'universe_domain must be a lowercase domain name'],
  [{ universe_domain: 'S3NSAPIS.FR' }, 'universe_domain must be a lowercase domain name'],
  [{ universe_domain: 's3nsapis' }, 'universe_domain must be a lowercase domain name'],
  [{ universe_domain: '' }, 'universe_domain must be a lowercase domain name'],
  [
    { environment_variables: { GOOGLE_CLOUD_UNIVERSE_DOMAIN: 's3nsapis.fr' } },
    'environment_variables must not set',
  ],
  [{ pubsub_service_agent: 'serviceAccount:a@b.example.com' }, 'pubsub_service_agent must be'],
  [{ name: 'ab' }, 'name must be 6-26 characters'],
  [{ rules: {} }, 'Set exactly one of rules.upload'],
  [
    { rules: { path_in_source: './a.yaml', gcs_uri: 'gs://b/a.yaml' } },
    'Set exactly one of rules.upload',
  ],
  [{ rules: { gcs_uri: 's3://b/a.yaml' } }, 'rules.gcs_uri must look like gs://BUCKET/OBJECT'],
  [{ rules: { upload: { file: 'rules.txt' } } }, 'rules.upload.file must be a .yaml'],
  [{ function: { memory_mib: 128 } }, 'function.memory_mib must be between 256 and 32768'],
  [{ function: { cpu: '3' } }, 'function.cpu must be one of'],
  [{ function: { memory_mib: 8192, cpu: '1' } }, 'function.memory_mib needs more function.cpu'],
  [
    { function: { memory_mib: 1024, cpu: '0.583', concurrency: 1 } },
    'function.memory_mib needs more function.cpu',
  ],
  [
    { function: { timeout_seconds: 600 } },
    'function.timeout_seconds must be a whole number between 10 and 540',
  ],
  [{ function: { timeout_seconds: 30.5 } }, 'function.timeout_seconds must be a whole number'],
  [{ function: { min_instances: 5, max_instances: 2 } }, 'function instances must satisfy'],
  [
    { function: { cpu: '0.583', concurrency: 4 } },
    'function.concurrency must be 1-1000, and above 1 only with cpu >= 1',
  ],
  [{ function: { ingress: 'PUBLIC' } }, 'function.ingress must be'],
  [{ function: { runtime: 'nodejs20' } }, 'function.runtime must be nodejs22 or nodejs24'],
  [{ environment_variables: { AUTOLOADER_CONFIG: 'x' } }, 'environment_variables must not set'],
  [{ landing_buckets: {} }, 'landing_buckets must name at least one bucket'],
  [{ landing_buckets: { 'Bad Bucket': {} } }, 'landing_buckets keys must be bucket names'],
  [
    { landing_buckets: { 'landing-prod': { delivery: 'http' } } },
    'landing_buckets[*].delivery must be',
  ],
  [
    { landing_buckets: { 'landing-prod': { object_prefix: 'x/' } } },
    'landing_buckets[*].object_prefix only works',
  ],
  [{ destination_datasets: [] }, 'destination_datasets must name at least one dataset'],
  [
    { destination_datasets: [{ dataset_id: 'raw-data' }] },
    'destination_datasets[*].dataset_id must be',
  ],
  [
    { staging_dataset: { dataset_id: 'bq-autoloader-staging' } },
    'staging_dataset.dataset_id must be',
  ],
  [{ staging_dataset: { dataset_id: '' } }, 'staging_dataset.dataset_id must be'],
  [{ staging_dataset: { dataset_id: 'a'.repeat(1025) } }, 'staging_dataset.dataset_id must be'],
  [{ staging_dataset: { dataset_id: 'p.staging' } }, 'staging_dataset.dataset_id must be'],
  [
    { staging_dataset: { table_expiration_hours: 0 } },
    'staging_dataset.table_expiration_hours must be a whole number between 1 and 720',
  ],
  [
    { staging_dataset: { table_expiration_hours: 721 } },
    'staging_dataset.table_expiration_hours must be a whole number between 1 and 720',
  ],
  [
    { staging_dataset: { table_expiration_hours: 1.5 } },
    'staging_dataset.table_expiration_hours must be a whole number between 1 and 720',
  ],
  [
    { staging_dataset: { project: '123456789012' } },
    'staging_dataset.project must be a project ID',
  ],
  [{ staging_dataset: { location: 'Europe West' } }, 'staging_dataset.location must be'],
  [{ archive_buckets: ['Archive'] }, 'archive_buckets must be bucket names'],
  [
    { requests: { publishers: ['serviceAccount:a@p.iam.gserviceaccount.com'] } },
    'requests.publishers needs requests.enabled',
  ],
  [
    { requests: { enabled: true, publishers: ['a@example.com'] } },
    'requests.publishers must be IAM members',
  ],
  [{ sweep: { schedule: 'every 5 minutes' } }, 'sweep.schedule must be a 5-field cron'],
  [{ sweep: { min_age_seconds: -1 } }, 'sweep.min_age_seconds must be between 0 and 604800'],
  [{ sweep: { routes: [''] } }, 'sweep.routes must not contain empty names'],
  [{ completion_trigger: { location: 'Europe West' } }, 'completion_trigger.location must be'],
  [
    { completion_trigger: { method_name: 'jobs.insert' } },
    'completion_trigger.method_name must be',
  ],
  [
    { dead_letter: { max_delivery_attempts: 3 } },
    'dead_letter.max_delivery_attempts must be between 5 and 100',
  ],
  [
    { dead_letter: { retention_seconds: 60 } },
    'dead_letter.retention_seconds must be between 600 and 604800',
  ],
  [{ dead_letter: { minimum_backoff: 700 } }, 'dead_letter backoff must satisfy'],
  [{ build_service_account: 'build@p.iam.gserviceaccount.com' }, 'build_service_account must be'],
  [{ labels: { Team: 'data' } }, 'labels: keys start with a lowercase letter'],
];

const results = new Map<Record<string, unknown>, { code: number; output: string }>();

describe('variable validations', () => {
  beforeAll(async () => {
    const cases = [...ACCEPTED.map(([, o]) => o), ...REFUSED.map(([o]) => o)];
    // Four plans at a time, each its own terraform process on the shared, initialised folder.
    for (let i = 0; i < cases.length; i += 4) {
      const batch = cases.slice(i, i + 4);
      const planned = await Promise.all(batch.map((o) => plan(o)));
      batch.forEach((o, n) => {
        const result = planned[n];
        if (result) results.set(o, result);
      });
    }
  }, 120_000);

  it.each(ACCEPTED)('accept %s', (_what, overrides) => {
    const result = results.get(overrides);
    expect({
      code: result?.code,
      errors: result?.output.match(/Error: .{0,200}/g) ?? null,
    }).toEqual({
      code: 0,
      errors: null,
    });
  });

  it.each(REFUSED)('refuse %j with its own message', (overrides, message) => {
    const result = results.get(overrides);
    expect(result?.code).toBe(1);
    expect(result?.output).toContain(message);
  });
});
