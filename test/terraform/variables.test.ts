// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are Terraform interpolations, not JS templates.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compile } from '../../src/cli/compile';
import { blocks, EXAMPLE_DIR, loadModule, MODULE_DIR, type Module } from './hcl';

/**
 * Inputs that take no validation block, each with the reason. Every other input is
 * enumerated, ranged or shaped and must validate.
 */
const FREE_FORM: Record<string, string> = {
  source_dir: 'a local path; archive_file fails at plan when it does not exist',
  extra_source_excludes: 'free doublestar globs',
  notify: 'a single boolean switch',
  grant_token_creator_to_pubsub_agent: 'a boolean',
  enable_apis: 'a boolean',
  create_log_metrics: 'a boolean',
};

let tf: Module;
let example: Module;
beforeAll(async () => {
  [tf, example] = await Promise.all([loadModule(MODULE_DIR), loadModule(EXAMPLE_DIR)]);
});

const variableNames = () => Object.keys(tf.variables);

describe('module variables', () => {
  it('are the variables this test knows about', () => {
    expect(variableNames().length).toBeGreaterThan(10);
  });

  it('each have a description and an explicit type', () => {
    const missing = Object.entries(tf.variables)
      .filter(
        ([, v]) =>
          typeof v.description !== 'string' || String(v.description).trim().length < 10 || !v.type,
      )
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('never use the catch-all type any', () => {
    const loose = Object.entries(tf.variables)
      .filter(([, v]) => /\bany\b/.test(String(v.type)))
      .map(([name]) => name);
    expect(loose).toEqual([]);
  });

  it('each validate, unless listed as free-form with a reason', () => {
    const unvalidated = Object.entries(tf.variables)
      .filter(([name, v]) => blocks(v, 'validation').length === 0 && !(name in FREE_FORM))
      .map(([name]) => name);
    expect(unvalidated).toEqual([]);
  });

  it('list as free-form only variables that exist and really have no number or enumerated string', () => {
    for (const name of Object.keys(FREE_FORM)) {
      const variable = tf.variables[name];
      expect({ name, exists: variable !== undefined }).toEqual({ name, exists: true });
      expect({ name, numeric: /\bnumber\b/.test(String(variable?.type)) }).toEqual({
        name,
        numeric: false,
      });
    }
  });

  it('validate every number-typed variable or attribute (ranges)', () => {
    const numeric = Object.entries(tf.variables).filter(([, v]) =>
      /\bnumber\b/.test(String(v.type)),
    );
    expect(numeric.length).toBeGreaterThan(0);
    for (const [name, v] of numeric) {
      const attributes = [...String(v.type).matchAll(/(\w+)\s*=\s*optional\(number/g)].map(
        (m) => m[1],
      );
      const conditions = blocks(v, 'validation')
        .map((b) => String(b.condition))
        .join('\n');
      for (const attribute of attributes) {
        expect({
          name,
          attribute,
          validated: conditions.includes(`var.${name}.${attribute}`),
        }).toEqual({
          name,
          attribute,
          validated: true,
        });
      }
    }
  });

  it('give every validation an error message that names the input', () => {
    for (const [name, v] of Object.entries(tf.variables)) {
      for (const validation of blocks(v, 'validation')) {
        expect({ name, message: String(validation.error_message).includes(name) }).toEqual({
          name,
          message: true,
        });
      }
    }
  });
});

describe('examples/basic', () => {
  const call = () => example.modules.autoloader ?? {};

  it('calls this module', () => {
    expect(call().source).toBe('../..');
  });

  it('passes every required input (those without a default)', () => {
    const required = Object.entries(tf.variables)
      .filter(([, v]) => !('default' in v))
      .map(([name]) => name);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((name) => !(name in call()))).toEqual([]);
  });

  it('passes no input the module does not declare', () => {
    const meta = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);
    const unknown = Object.keys(call()).filter((k) => !meta.has(k) && !(k in tf.variables));
    expect(unknown).toEqual([]);
  });

  it('declares its own variables with descriptions and types', () => {
    for (const [name, v] of Object.entries(example.variables)) {
      expect({ name, described: Boolean(v.description), typed: Boolean(v.type) }).toEqual({
        name,
        described: true,
        typed: true,
      });
    }
  });

  it('pins the same provider ranges as the module', () => {
    const range = (m: Module) => m.texts['versions.tf']?.match(/version\s*=\s*"[^"]+"/g);
    expect(range(example)).toEqual(range(tf));
    expect(range(tf)?.every((r) => /">= [\d.]+, < [\d.]+"/.test(r))).toBe(true);
  });
});

describe('examples/basic rules file', () => {
  const rules = parseYaml(readFileSync(join(EXAMPLE_DIR, 'autoloader.yaml'), 'utf8')) as {
    routes: { schema?: string; destination: string }[];
  };
  const call = () =>
    (example.modules.autoloader ?? {}) as {
      rules?: { upload?: { file?: string; schema_files?: Record<string, string> } };
      destination_datasets?: { dataset_id: string }[];
    };

  it('uploads the compiled autoloader.json, which needs no schema file next to it', () => {
    expect(call().rules?.upload?.file).toBe('${path.module}/autoloader.json');
    expect(call().rules?.upload?.schema_files ?? {}).toEqual({});
  });

  it('has autoloader.json compiled from the current autoloader.yaml', async () => {
    const named = rules.routes
      .map((r) => r.schema)
      .filter((s): s is string => !!s && s.endsWith('.json'));
    expect(named.length).toBeGreaterThan(0);
    for (const schema of named) expect(existsSync(join(EXAMPLE_DIR, schema))).toBe(true);
    let compiled = '';
    const write = (text: string) => {
      compiled += text;
      return true;
    };
    const result = await compile(
      [join(EXAMPLE_DIR, 'autoloader.yaml')],
      {},
      {
        readGcsText: async (uri) => {
          throw new Error(`unexpected read of ${uri}`);
        },
        stdout: { write },
        stderr: { write: () => true },
      },
    );
    expect(result.exitCode).toBe(0);
    // After editing the YAML: npx bq-autoloader compile autoloader.yaml --out autoloader.json
    expect(readFileSync(join(EXAMPLE_DIR, 'autoloader.json'), 'utf8')).toBe(compiled);
  });

  it('writes only to datasets the example grants, and the example grants no others', () => {
    const written = new Set(rules.routes.map((r) => r.destination.split('.')[0]));
    const granted = new Set((call().destination_datasets ?? []).map((d) => d.dataset_id));
    expect([...written].sort()).toEqual([...granted].sort());
  });
});
