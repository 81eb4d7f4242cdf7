// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are Terraform interpolations, not JS templates.
/**
 * The staging dataset of routes with transform, dedupe or schemaEvolution: rescue: created (or
 * not) with a default table expiration, granted to the runtime as WRITER in either case, and in
 * the location of the rules file. The module's own expressions are evaluated by terraform:
 * staging.tf's locals, the dataset's expiration, count and preconditions, and the rules check
 * are copied into a provider-free module next to the variable files.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import {
  type Body,
  blocks,
  EXAMPLE_DIR,
  loadModule,
  MODULE_DIR,
  type Module,
  S3NS_EXAMPLE_DIR,
  single,
  VARIABLE_FILES,
} from './hcl';
import { terraform } from './terraform-cli';

let tf: Module;
beforeAll(async () => {
  tf = await loadModule(MODULE_DIR);
});

const dataset = (): Body => tf.resources.google_bigquery_dataset?.staging ?? {};
const grant = (): Body => tf.resources.google_bigquery_dataset_access?.runtime_staging_writer ?? {};
const preconditions = (body: Body): Body[] =>
  blocks(single(body.lifecycle, 'lifecycle'), 'precondition');

describe('staging dataset', () => {
  it('is created only when staging_dataset.create, and is the only dataset the module creates', () => {
    expect(Object.keys(tf.resources.google_bigquery_dataset ?? {})).toEqual(['staging']);
    expect(dataset().count).toBe('${var.staging_dataset.create ? 1 : 0}');
  });

  it('expires its tables after table_expiration_hours, in milliseconds, and holds only transient data', () => {
    expect(dataset()).toMatchObject({
      project: '${local.staging_project}',
      dataset_id: '${var.staging_dataset.dataset_id}',
      location: '${local.staging_location}',
      default_table_expiration_ms: '${var.staging_dataset.table_expiration_hours * 3600 * 1000}',
      delete_contents_on_destroy: true,
      labels: '${var.labels}',
    });
    expect(String(dataset().description)).toMatch(/staging/i);
  });

  it('gives the runtime WRITER on it as a dataset access entry, created by the module or not', () => {
    expect(grant()).toMatchObject({
      project: '${local.staging_project}',
      dataset_id:
        '${var.staging_dataset.create ? google_bigquery_dataset.staging[0].dataset_id : var.staging_dataset.dataset_id}',
      role: 'WRITER',
      user_by_email: '${google_service_account.runtime.email}',
    });
    // One entry in both cases: no count or for_each that create = false could turn off.
    expect(grant().count).toBeUndefined();
    expect(grant().for_each).toBeUndefined();
  });

  it('is given to the rules file through the staging_dataset output (project.dataset)', () => {
    expect(tf.outputs.staging_dataset?.value).toBe('${local.staging_dataset}');
    expect(tf.locals.staging_dataset).toBe(
      '${local.staging_project}.${var.staging_dataset.dataset_id}',
    );
  });
});

/** What terraform computes for one set of inputs. */
interface Evaluated {
  staging_dataset?: string;
  location?: string;
  expiration_ms?: number;
  dataset_count?: number;
  location_known?: boolean;
  location_agrees?: boolean;
  not_a_destination?: boolean;
  rules_agree?: boolean;
}

const BASE = {
  project_id: 'my-project',
  region: 'europe-west1',
  source_dir: '.',
  landing_buckets: { 'landing-prod': {} },
  destination_datasets: [{ dataset_id: 'raw' }],
};

describe('staging dataset, evaluated by terraform', () => {
  let dir: string;
  let counter = 0;

  // The file-level beforeAll has loaded the module already.
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tf-staging-'));
    for (const file of VARIABLE_FILES) copyFileSync(join(MODULE_DIR, file), join(dir, file));
    const staging = [
      'staging_project',
      'staging_dataset',
      'rules_local_file',
      'rules_document',
      'rules_location',
      'staging_location',
      'rules_staging_name',
      'rules_staging',
      'datasets',
    ];
    const [known, agrees] = preconditions(dataset());
    const [notDestination] = preconditions(grant());
    // hcl2json keeps check blocks; loadModule does not collect them.
    const parsed = (await parse('staging.tf', tf.texts['staging.tf'] ?? '')) as {
      check?: Record<string, Body[]>;
    };
    const [check] = blocks(single(parsed.check?.rules_staging_dataset, 'check'), 'assert');
    writeFileSync(
      join(dir, 'staging.tf.json'),
      JSON.stringify({
        locals: Object.fromEntries(staging.map((name) => [name, tf.locals[name]])),
        output: {
          staging_dataset: { value: tf.outputs.staging_dataset?.value },
          location: { value: dataset().location },
          expiration_ms: { value: dataset().default_table_expiration_ms },
          dataset_count: { value: dataset().count },
          location_known: { value: known?.condition },
          location_agrees: { value: agrees?.condition },
          not_a_destination: { value: notDestination?.condition },
          rules_agree: { value: check?.condition },
        },
      }),
    );
    const init = await terraform(['init', '-backend=false', '-input=false', '-no-color'], dir);
    if (init.code !== 0) throw new Error(`terraform init failed: ${init.stderr}`);
  }, 60_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function evaluate(inputs: Record<string, unknown>): Promise<Evaluated> {
    counter += 1;
    const varFile = join(dir, `case-${counter}.tfvars.json`);
    const state = join(dir, `case-${counter}.tfstate`);
    writeFileSync(varFile, JSON.stringify({ ...BASE, ...inputs }));
    const apply = await terraform(
      [
        'apply',
        '-auto-approve',
        '-input=false',
        '-lock=false',
        '-no-color',
        `-state=${state}`,
        `-var-file=${varFile}`,
      ],
      dir,
    );
    expect({ code: apply.code, errors: apply.stderr.match(/Error: .{0,300}/gs) }).toEqual({
      code: 0,
      errors: null,
    });
    const output = await terraform(['output', '-no-color', '-json', `-state=${state}`], dir);
    const values = JSON.parse(output.stdout || '{}') as Record<string, { value: unknown }>;
    // Terraform keeps no null output: a missing one is null.
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.value]));
  }

  function rulesFile(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('by default: in the billing project, in the location of the uploaded rules, 24 h', async () => {
    const result = await evaluate({
      rules: { upload: { file: join(EXAMPLE_DIR, 'autoloader.json') } },
    });
    expect(result).toEqual({
      staging_dataset: 'my-project.bq_autoloader_staging',
      location: 'US',
      expiration_ms: 24 * 3600 * 1000,
      dataset_count: 1,
      location_known: true,
      location_agrees: true,
      not_a_destination: true,
      rules_agree: true,
    });
  }, 60_000);

  it('reads the location of a rules file in the source (examples/s3ns: u-france-east1)', async () => {
    const result = await evaluate({
      project_id: 's3ns:example-project',
      region: 'u-france-east1',
      source_dir: S3NS_EXAMPLE_DIR,
      rules: { path_in_source: './autoloader.yaml' },
    });
    expect(result).toMatchObject({
      staging_dataset: 's3ns:example-project.bq_autoloader_staging',
      location: 'u-france-east1',
      location_known: true,
      rules_agree: true,
    });
  }, 60_000);

  it('takes US when the rules file names no location, as the loader does', async () => {
    const file = rulesFile('no-location.yaml', 'routes: [{ name: a }]\n');
    const result = await evaluate({ rules: { upload: { file } } });
    expect(result).toMatchObject({ location: 'US', location_known: true });
  }, 60_000);

  it('needs staging_dataset.location with a rules file in GCS', async () => {
    const rules = { gcs_uri: 'gs://config-bucket/autoloader.json' };
    expect(await evaluate({ rules })).toMatchObject({ location_known: false });
    expect(
      await evaluate({ rules, staging_dataset: { location: 'EU', table_expiration_hours: 720 } }),
    ).toMatchObject({
      location: 'EU',
      location_known: true,
      location_agrees: true,
      expiration_ms: 720 * 3600 * 1000,
    });
  }, 60_000);

  it('refuses a location other than the rules file one', async () => {
    const rules = { upload: { file: join(EXAMPLE_DIR, 'autoloader.json') } };
    expect(await evaluate({ rules, staging_dataset: { location: 'EU' } })).toMatchObject({
      location_agrees: false,
    });
    expect(await evaluate({ rules, staging_dataset: { location: 'us' } })).toMatchObject({
      location_agrees: true,
    });
  }, 60_000);

  it('with create = false makes no dataset (the grant has no count: it stays)', async () => {
    const result = await evaluate({
      rules: { gcs_uri: 'gs://config-bucket/autoloader.json' },
      staging_dataset: { create: false, project: 'data-project', dataset_id: 'tmp' },
    });
    expect(result).toMatchObject({ staging_dataset: 'data-project.tmp', dataset_count: 0 });
  }, 60_000);

  it('refuses the staging dataset among destination_datasets (two entries for one grant)', async () => {
    const result = await evaluate({
      rules: { gcs_uri: 'gs://config-bucket/autoloader.json' },
      destination_datasets: [{ dataset_id: 'raw' }, { dataset_id: 'bq_autoloader_staging' }],
    });
    expect(result).toMatchObject({ not_a_destination: false });
  }, 60_000);

  it('warns when the rules file resolves staging.dataset to another dataset', async () => {
    const file = rulesFile(
      'staging.yaml',
      'project: billing-project\nstaging: { dataset: tmp }\nroutes: [{ name: a }]\n',
    );
    expect(await evaluate({ rules: { upload: { file } } })).toMatchObject({
      rules_agree: false,
    });
    expect(
      await evaluate({
        rules: { upload: { file } },
        staging_dataset: { project: 'billing-project', dataset_id: 'tmp' },
      }),
    ).toMatchObject({ staging_dataset: 'billing-project.tmp', rules_agree: true });
    const qualified = rulesFile(
      'qualified.json',
      JSON.stringify({ staging: { dataset: 'my-project.tmp' }, routes: [] }),
    );
    expect(
      await evaluate({
        rules: { upload: { file: qualified } },
        staging_dataset: { dataset_id: 'tmp' },
      }),
    ).toMatchObject({ rules_agree: true });
  }, 60_000);
});
