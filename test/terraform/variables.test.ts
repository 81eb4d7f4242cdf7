// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are Terraform interpolations, not JS templates.
import { blocks, loadModule, MODULE_DIR, type Module } from './hcl';

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
beforeAll(async () => {
  tf = await loadModule(MODULE_DIR);
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
