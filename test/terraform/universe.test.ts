// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are Terraform interpolations, not JS templates.
/**
 * The module runs unchanged in any universe (Google Cloud, Trusted Cloud by S3NS...): the
 * universe is one input, handed to the function; no endpoint host or service-account email is
 * written by hand; service agents come from the provider; prefixed project ids never reach a
 * name. examples.test.ts checks examples/s3ns, a deployment in S3NS. See
 * docs/sovereign.md.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadModule, MODULE_DIR, type Module, single } from './hcl';
import { terraform } from './terraform-cli';

/**
 * The only googleapis.com names any .tf file may hold. API service names and OAuth scopes are
 * identifiers, the same in every universe (S3NS "Key differences": service names stay
 * bigquery.googleapis.com, scope names are consistent); only endpoints change, and the
 * module writes none. Bare `googleapis.com` is the default universe itself.
 */
const SERVICE_NAMES = [
  'bigquery',
  'cloudbuild',
  'cloudfunctions',
  'run',
  'artifactregistry',
  'storage',
  'pubsub',
  'eventarc',
  'iam',
  'cloudscheduler',
  'logging',
].map((s) => `${s}.googleapis.com`);
const SCOPES = ['bigquery', 'devstorage.read_write', 'devstorage.read_only', 'pubsub'].map(
  (s) => `https://www.googleapis.com/auth/${s}`,
);
const DEFAULT_UNIVERSE = 'googleapis.com';
const ALLOWED = new Set([...SERVICE_NAMES, ...SCOPES, DEFAULT_UNIVERSE]);

/** Every .tf file under terraform/ (module, submodule, examples), relative path → text. */
function tfFiles(dir = MODULE_DIR): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== '.terraform') Object.assign(files, tfFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.tf'))
      files[relative(MODULE_DIR, path)] = readFileSync(path, 'utf8');
  }
  return files;
}

let tf: Module;
beforeAll(async () => {
  tf = await loadModule(MODULE_DIR);
});

describe('no hand-formatted universe names', () => {
  const files = tfFiles();
  const names = Object.entries(files).flatMap(([file, text]) =>
    [...text.matchAll(/(?:https?:\/\/)?(?:[a-z0-9-]+\.)*googleapis\.com(?:\/[\w./-]*)?/g)].map(
      (m) => ({ file, name: m[0] }),
    ),
  );

  it('scans the module, its submodule and the examples', () => {
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(['iam.tf', 'modules/gcloudignore/main.tf', 'examples/s3ns/main.tf']),
    );
  });

  it('writes no service-account or service-agent email domain anywhere', () => {
    const emails = Object.entries(files).filter(([, text]) => /gserviceaccount\.com/.test(text));
    expect(emails.map(([file]) => file)).toEqual([]);
  });

  it('names googleapis.com only as an API service name, an OAuth scope or the default universe', () => {
    expect(names.filter((n) => !ALLOWED.has(n.name))).toEqual([]);
  });

  it('uses every exception it allows, so the list stays exact', () => {
    const used = new Set(names.map((n) => n.name));
    expect([...ALLOWED].filter((name) => !used.has(name))).toEqual([]);
  });
});

describe('the universe', () => {
  it('is one validated input, googleapis.com by default', () => {
    const variable = tf.variables.universe_domain ?? {};
    expect(variable.default).toBe(DEFAULT_UNIVERSE);
    expect(variable.validation).toBeDefined();
  });

  it('reaches the function as GOOGLE_CLOUD_UNIVERSE_DOMAIN', () => {
    const fn = tf.resources.google_cloudfunctions2_function?.loader ?? {};
    const env = String(single(fn.service_config, 'service_config').environment_variables);
    expect(env).toMatch(/GOOGLE_CLOUD_UNIVERSE_DOMAIN\s*=\s*var\.universe_domain/);
  });

  it('is configured by the root module: the module and its submodule have no provider block', async () => {
    const sub = await loadModule(join(MODULE_DIR, 'modules/gcloudignore'));
    expect({ module: tf.providers, submodule: sub.providers }).toEqual({
      module: {},
      submodule: {},
    });
  });
});

describe('service agents', () => {
  it('come from the provider: Pub/Sub through google_project_service_identity (google-beta)', () => {
    const identity = tf.resources.google_project_service_identity?.pubsub ?? {};
    expect(identity.provider).toBe('${google-beta}');
    expect(identity.service).toBe('pubsub.googleapis.com');
    expect(String(identity.count)).toContain('var.pubsub_service_agent == null');
    expect(String(tf.locals.pubsub_agent)).toMatch(
      /var\.pubsub_service_agent, one\(google_project_service_identity\.pubsub\[\*\]\.email\)/,
    );
  });

  it('come from the provider: Cloud Storage through its data source', () => {
    expect(tf.data.google_storage_project_service_account?.gcs_agent).toBeDefined();
    expect(tf.locals.gcs_agent).toBe(
      'serviceAccount:${data.google_storage_project_service_account.gcs_agent.email_address}',
    );
  });

  it('are never built from the project number', () => {
    expect(tf.data.google_project).toBeUndefined();
    expect(Object.values(tf.texts).join('\n')).not.toMatch(/\.number\b/);
  });
});

describe('prefixed project ids', () => {
  it('never reach a bucket name, an account id or a label except through the slug', () => {
    const named = [
      ...Object.values(tf.resources.google_storage_bucket ?? {}).map((b) => b.name),
      ...Object.values(tf.resources.google_service_account ?? {}).map((a) => a.account_id),
      ...Object.values(tf.resources).flatMap((byName) =>
        Object.values(byName).map((r) => r.labels),
      ),
    ];
    expect(named.filter((n) => String(n).includes('var.project_id'))).toEqual([]);
    expect(String(tf.locals.project_slug)).toContain('var.project_id');
  });

  it.each([
    ['my-project', 'my-project-bq-autoloader-source'],
    ['s3ns:example-project', 's3ns-example-project-bq-autoloader-source'],
    ['example.com:my-project', 'example-com-my-project-bq-autoloader-source'],
    ['long-universe-or-domain.example.com:project-id-of-thirty-chars', undefined],
  ])(
    'make the source bucket of %s a valid bucket name (evaluated by terraform)',
    async (projectId, expected) => {
      const dir = mkdtempSync(join(tmpdir(), 'tf-slug-'));
      try {
        const bucket = tf.resources.google_storage_bucket?.source?.name;
        writeFileSync(
          join(dir, 'main.tf.json'),
          JSON.stringify({
            variable: { project_id: { type: 'string' }, name: { default: 'bq-autoloader' } },
            locals: { project_slug: tf.locals.project_slug },
            output: { bucket: { value: bucket } },
          }),
        );
        await terraform(['init', '-backend=false', '-input=false', '-no-color'], dir);
        const apply = await terraform(
          ['apply', '-auto-approve', '-input=false', '-no-color', `-var=project_id=${projectId}`],
          dir,
        );
        expect({ code: apply.code, errors: apply.stderr.match(/Error: .{0,200}/g) }).toEqual({
          code: 0,
          errors: null,
        });
        const name = (await terraform(['output', '-raw', 'bucket'], dir)).stdout;
        expect(name).toMatch(/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/);
        if (expected) expect(name).toBe(expected);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );
});
