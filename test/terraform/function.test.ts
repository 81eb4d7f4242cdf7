// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are Terraform interpolations, not JS templates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blocks, loadModule, MODULE_DIR, type Module, REPO_ROOT, single } from './hcl';

let tf: Module;
beforeAll(async () => {
  tf = await loadModule(MODULE_DIR);
});

function loader() {
  const fn = tf.resources.google_cloudfunctions2_function?.loader;
  if (!fn) throw new Error('google_cloudfunctions2_function.loader is missing');
  return fn;
}

describe('the function', () => {
  it('is the only Cloud Functions resource, so every trigger reaches one service', () => {
    expect(Object.keys(tf.resources.google_cloudfunctions2_function ?? {})).toEqual(['loader']);
    expect(tf.resources.google_cloudfunctions_function).toBeUndefined();
  });

  it('runs the autoload entry point on the runtime chosen by a validated variable defaulting to nodejs22', () => {
    const build = single(loader().build_config, 'build_config');
    expect(build.entry_point).toBe('autoload');
    expect(build.runtime).toBe('${var.function.runtime}');
    const type = String(tf.variables.function?.type);
    expect(type).toMatch(/runtime\s*=\s*optional\(string, "nodejs22"\)/);
    const conditions = blocks(tf.variables.function ?? {}, 'validation').map((v) =>
      String(v.condition),
    );
    expect(
      conditions.some((c) => c.includes('"nodejs22"') && c.includes('var.function.runtime')),
    ).toBe(true);
  });

  it('builds from the uploaded archive whose object name is its content hash', () => {
    const source = single(
      single(single(loader().build_config, 'build').source, 'source').storage_source,
      'storage_source',
    );
    expect(source.object).toBe('${google_storage_bucket_object.source.name}');
    const object = tf.resources.google_storage_bucket_object?.source;
    expect(object?.name).toBe('source/${data.archive_file.source.output_md5}.zip');
    expect(object?.source).toBe('${data.archive_file.source.output_path}');
  });

  it('runs as the dedicated runtime service account and reads its rules from AUTOLOADER_CONFIG', () => {
    const service = single(loader().service_config, 'service_config');
    expect(service.service_account_email).toBe('${google_service_account.runtime.email}');
    const env = String(service.environment_variables);
    expect(env).toMatch(/AUTOLOADER_CONFIG\s*=\s*local.config_location/);
    expect(env).toContain('AUTOLOADER_SCOPES');
  });

  it('claims objects before their loads unless a landing bucket is read-only (write_access defaults to true)', () => {
    const env = String(single(loader().service_config, 'service_config').environment_variables);
    expect(env).toMatch(/AUTOLOADER_MARKERS\s*=\s*local.markers/);
    expect(tf.texts['function.tf']).toMatch(
      /markers\s*=\s*alltrue\(\[for b in values\(var.landing_buckets\) : b.write_access\]\) \? "on" : "off"/,
    );
    expect(String(tf.variables.landing_buckets?.type)).toMatch(
      /write_access\s*=\s*optional\(bool, true\)/,
    );
  });

  it.each([
    ['available_memory', '${var.function.memory_mib}Mi'],
    ['timeout_seconds', '${var.function.timeout_seconds}'],
    ['max_instance_count', '${var.function.max_instances}'],
    ['max_instance_request_concurrency', '${var.function.concurrency}'],
    ['ingress_settings', '${var.function.ingress}'],
  ])('takes %s from the function variable', (attribute, expected) => {
    expect(single(loader().service_config, 'service_config')[attribute]).toBe(expected);
  });

  it('has no built-in event trigger: triggers are separate resources aimed at its service', () => {
    expect(loader().event_trigger).toBeUndefined();
  });
});

describe('log-based metrics', () => {
  it.each(['outcomes', 'errors'])('%s reads only the loader service logs', (name) => {
    const metric = tf.resources.google_logging_metric?.[name] ?? {};
    expect(String(metric.filter)).toMatch(/^\$\{local\.loader_logs\} AND /);
    expect(tf.texts['logging.tf']).toContain(
      'resource.labels.service_name=\\"${local.service_name}\\"',
    );
  });

  it('labels outcomes with the outcome and route fields that src/log.ts writes', () => {
    const metric = tf.resources.google_logging_metric?.outcomes ?? {};
    expect(metric.label_extractors).toEqual({
      outcome: 'EXTRACT(jsonPayload.outcome)',
      route: 'EXTRACT(jsonPayload.route)',
    });
    const log = readFileSync(join(REPO_ROOT, 'src/log.ts'), 'utf8');
    expect(log).toMatch(/outcome\?: Outcome;/);
    expect(log).toMatch(/route\?: string;/);
  });
});
