// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected values are Terraform interpolations, not JS templates.
/**
 * Every example root module (examples/basic, examples/s3ns) is checked alike: it calls this
 * module with every required input and no other, pins the module's provider ranges, configures
 * both providers the module uses, and deploys a rules file compiled from its own YAML that
 * writes only to the datasets it grants. examples/s3ns also keeps to its universe.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compile } from '../../src/cli/compile';
import { EXAMPLE_DIRS, loadModule, MODULE_DIR, type Module, S3NS_EXAMPLE_DIR } from './hcl';
import { terraform } from './terraform-cli';

const NAMES = Object.keys(EXAMPLE_DIRS);
let tf: Module;
const examples: Record<string, Module> = {};
beforeAll(async () => {
  tf = await loadModule(MODULE_DIR);
  for (const name of NAMES) examples[name] = await loadModule(EXAMPLE_DIRS[name] ?? '');
});

function example(name: string): Module {
  const module = examples[name];
  if (!module) throw new Error(`examples/${name} is not loaded`);
  return module;
}

/** `bq-autoloader compile FILE` as the example's README tells it: stdout, stderr, exit code. */
async function compileFile(path: string): Promise<{ exitCode: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const { exitCode } = await compile(
    path,
    {},
    {},
    {
      readGcsText: async (uri) => {
        throw new Error(`unexpected read of ${uri}`);
      },
      stdout: {
        write: (text: string) => {
          out += text;
          return true;
        },
      },
      stderr: {
        write: (text: string) => {
          err += text;
          return true;
        },
      },
    },
  );
  return { exitCode, out, err };
}

describe.each(NAMES)('examples/%s', (name) => {
  const call = () => example(name).modules.autoloader ?? {};

  it('calls this module', () => {
    expect(call().source).toBe('../..');
  });

  it('passes every required input (those without a default)', () => {
    const required = Object.entries(tf.variables)
      .filter(([, v]) => !('default' in v))
      .map(([variable]) => variable);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((variable) => !(variable in call()))).toEqual([]);
  });

  it('passes no input the module does not declare', () => {
    const meta = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);
    const unknown = Object.keys(call()).filter((k) => !meta.has(k) && !(k in tf.variables));
    expect(unknown).toEqual([]);
  });

  it('declares its own variables with descriptions and types', () => {
    for (const [variable, v] of Object.entries(example(name).variables)) {
      expect({ variable, described: Boolean(v.description), typed: Boolean(v.type) }).toEqual({
        variable,
        described: true,
        typed: true,
      });
    }
  });

  it('pins the same provider ranges as the module', () => {
    const range = (m: Module) => m.texts['versions.tf']?.match(/version\s*=\s*"[^"]+"/g);
    expect(range(example(name))).toEqual(range(tf));
    expect(range(tf)?.every((r) => /">= [\d.]+, < [\d.]+"/.test(r))).toBe(true);
  });

  it('configures google and google-beta alike: the module uses both, in one universe', () => {
    const providers = example(name).providers;
    expect(Object.keys(providers).sort()).toEqual(['google', 'google-beta']);
    expect(providers['google-beta']).toEqual(providers.google);
  });
});

describe.each(NAMES)('examples/%s rules file', (name) => {
  const dir = EXAMPLE_DIRS[name] ?? '';
  const yamlPath = join(dir, 'autoloader.yaml');
  const rules = parseYaml(readFileSync(yamlPath, 'utf8')) as Record<string, unknown> & {
    routes: { schema?: string; destination: string }[];
  };
  const call = () =>
    (example(name).modules.autoloader ?? {}) as {
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
    for (const schema of named) expect(existsSync(join(dir, schema))).toBe(true);
    const deployed = readFileSync(join(dir, 'autoloader.json'), 'utf8');
    const direct = await compileFile(yamlPath);
    // After editing the YAML: npx bq-autoloader compile autoloader.yaml --out autoloader.json
    expect({ exitCode: direct.exitCode, err: direct.err }).toEqual({ exitCode: 0, err: '' });
    expect(deployed).toBe(direct.out);
  });

  it('writes only to datasets the example grants, and the example grants no others', () => {
    const written = new Set(rules.routes.map((r) => r.destination.split('.')[0]));
    const granted = new Set((call().destination_datasets ?? []).map((d) => d.dataset_id));
    expect([...written].sort()).toEqual([...granted].sort());
  });
});

describe('examples/s3ns', () => {
  const s3ns = () => example('s3ns');
  const defaults = () => ({
    universe: s3ns().variables.universe_domain?.default,
    region: s3ns().variables.region?.default,
  });

  it('targets Trusted Cloud by S3NS: universe s3nsapis.fr, region u-france-east1', () => {
    expect(defaults()).toEqual({ universe: 's3nsapis.fr', region: 'u-france-east1' });
  });

  it('hands the one universe to both providers and to the module', () => {
    for (const provider of ['google', 'google-beta']) {
      const [block] = s3ns().providers[provider] ?? [];
      expect({ provider, universe: block?.universe_domain }).toEqual({
        provider,
        universe: '${var.universe_domain}',
      });
    }
    expect(s3ns().modules.autoloader?.universe_domain).toBe('${var.universe_domain}');
  });

  // No `endpoints: regional`: S3NS documents no Cloud Storage regional endpoints, and the
  // loader refuses to start with them there (src/core/universe.ts).
  it('names the same universe and the region as location in its rules, with global endpoints', () => {
    const rules = parseYaml(readFileSync(join(S3NS_EXAMPLE_DIR, 'autoloader.yaml'), 'utf8'));
    expect({
      universe: rules.universeDomain,
      endpoints: rules.endpoints,
      location: rules.location,
    }).toEqual({
      universe: defaults().universe,
      endpoints: undefined,
      location: defaults().region,
    });
  });

  it.each([
    ['s3ns:example-project', undefined],
    ['example-project', 'project_id must carry the universe prefix'],
  ])(
    'takes project_id %s only with its prefix (evaluated by terraform)',
    async (id, refusal) => {
      const dir = mkdtempSync(join(tmpdir(), 'tf-s3ns-'));
      try {
        copyFileSync(join(S3NS_EXAMPLE_DIR, 'variables.tf'), join(dir, 'variables.tf'));
        await terraform(['init', '-backend=false', '-input=false', '-no-color'], dir);
        const plan = await terraform(
          ['plan', '-input=false', '-no-color', `-var=project_id=${id}`, '-var=landing_bucket=b'],
          dir,
        );
        const output = `${plan.stdout}${plan.stderr}`.replace(/[\s│]+/g, ' ');
        if (refusal)
          expect({ code: plan.code, refused: output.includes(refusal) }).toEqual({
            code: 1,
            refused: true,
          });
        else
          expect({ code: plan.code, errors: output.match(/Error: .{0,200}/g) }).toEqual({
            code: 0,
            errors: null,
          });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );
});
