/**
 * Reads the Terraform module as data: every `.tf` file of a folder parsed by
 * @cdktf/hcl2json (HCL → the JSON syntax of https://developer.hashicorp.com/terraform/language/syntax/json)
 * and merged, so tests can look at resources, variables and module calls without a provider.
 * Expressions stay strings such as "${var.name}"; literal values stay literal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';

export const REPO_ROOT = resolve(__dirname, '../..');
export const MODULE_DIR = join(REPO_ROOT, 'terraform');
export const EXAMPLE_DIR = join(MODULE_DIR, 'examples/basic');
export const S3NS_EXAMPLE_DIR = join(MODULE_DIR, 'examples/s3ns');
/** Every example root module, checked alike (examples.test.ts). */
export const EXAMPLE_DIRS: Record<string, string> = { basic: EXAMPLE_DIR, s3ns: S3NS_EXAMPLE_DIR };
/** The module's variable files, in the order the README Inputs table follows. */
export const VARIABLE_FILES = ['variables.tf', 'variables_inputs.tf', 'variables_platform.tf'];

/** One block body as hcl2json gives it: attributes, and nested blocks as arrays of bodies. */
export type Body = Record<string, unknown>;

export interface Module {
  /** resource type → resource name → body */
  resources: Record<string, Record<string, Body>>;
  /** data source type → name → body */
  data: Record<string, Record<string, Body>>;
  variables: Record<string, Body>;
  outputs: Record<string, Body>;
  modules: Record<string, Body>;
  /** provider name → its blocks (a provider may appear more than once, with aliases) */
  providers: Record<string, Body[]>;
  /** Every `locals` entry of every file, name → expression or literal */
  locals: Record<string, unknown>;
  /** Raw text of each file, by file name, for checks that are about the source itself. */
  texts: Record<string, string>;
}

export async function loadModule(dir: string): Promise<Module> {
  const module: Module = {
    resources: {},
    data: {},
    variables: {},
    outputs: {},
    modules: {},
    providers: {},
    locals: {},
    texts: {},
  };
  const files = readdirSync(dir).filter((f) => f.endsWith('.tf'));
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    module.texts[file] = text;
    const json = (await parse(file, text)) as Record<string, unknown>;
    mergeTyped(module.resources, json.resource, file);
    mergeTyped(module.data, json.data, file);
    mergeNamed(module.variables, json.variable, file);
    mergeNamed(module.outputs, json.output, file);
    mergeNamed(module.modules, json.module, file);
    for (const [name, bodies] of Object.entries((json.provider ?? {}) as Record<string, Body[]>)) {
      module.providers[name] = [...(module.providers[name] ?? []), ...bodies];
    }
    for (const block of (json.locals ?? []) as Body[]) Object.assign(module.locals, block);
  }
  return module;
}

/** The single body of a labelled block (hcl2json wraps each in an array). */
export function single(value: unknown, what: string): Body {
  if (!Array.isArray(value) || value.length !== 1) {
    throw new Error(`${what}: expected exactly one block, got ${JSON.stringify(value)}`);
  }
  return value[0] as Body;
}

/** Nested blocks of a body (`matching_criteria`, `push_config`…), always as an array. */
export function blocks(body: Body, name: string): Body[] {
  const value = body[name];
  return Array.isArray(value) ? (value as Body[]) : [];
}

export function resourcesOf(module: Module, type: string): [string, Body][] {
  return Object.entries(module.resources[type] ?? {});
}

function mergeTyped(
  into: Record<string, Record<string, Body>>,
  value: unknown,
  file: string,
): void {
  if (!value) return;
  for (const [type, byName] of Object.entries(value as Record<string, Record<string, unknown>>)) {
    into[type] ??= {};
    for (const [name, bodies] of Object.entries(byName)) {
      into[type][name] = single(bodies, `${file}: ${type}.${name}`);
    }
  }
}

function mergeNamed(into: Record<string, Body>, value: unknown, file: string): void {
  if (!value) return;
  for (const [name, bodies] of Object.entries(value as Record<string, unknown>)) {
    into[name] = single(bodies, `${file}: ${name}`);
  }
}
