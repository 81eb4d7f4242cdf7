/**
 * terraform/README.md must stay true: its Inputs and Outputs tables name exactly the
 * module's variables and outputs, and mark as required exactly those without a default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModule, MODULE_DIR, type Module, VARIABLE_FILES } from './hcl';

const readme = readFileSync(join(MODULE_DIR, 'README.md'), 'utf8');

/** Rows of the first table under `## heading`: first cell (backticks stripped) and last cell. */
function tableRows(heading: string): { name: string; last: string }[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`README.md has no "## ${heading}" section`);
  return section
    .split('\n')
    .filter((line) => /^\|\s*`/.test(line))
    .map((line) => {
      const cells = line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
      return { name: (cells[0] ?? '').replaceAll('`', ''), last: cells.at(-1) ?? '' };
    });
}

/** Block names of `kind` in file order (hcl2json sorts them; a reader expects file order). */
function declared(files: string[], kind: 'variable' | 'output'): string[] {
  return files.flatMap((file) => {
    const text = tf.texts[file] ?? '';
    return [...text.matchAll(new RegExp(`^${kind} "([^"]+)"`, 'gm'))].map((m) => m[1] ?? '');
  });
}

let tf: Module;
beforeAll(async () => {
  tf = await loadModule(MODULE_DIR);
});

describe('terraform/README.md', () => {
  it('lists exactly the module variables in its Inputs table, in file order', () => {
    const names = declared(VARIABLE_FILES, 'variable');
    expect([...names].sort()).toEqual(Object.keys(tf.variables).sort());
    expect(tableRows('Inputs').map((r) => r.name)).toEqual(names);
  });

  it('marks as required exactly the variables without a default', () => {
    const documented = Object.fromEntries(
      tableRows('Inputs').map((r) => [r.name, r.last === 'yes']),
    );
    const actual = Object.fromEntries(
      Object.entries(tf.variables).map(([n, v]) => [n, !('default' in v)]),
    );
    expect(documented).toEqual(actual);
  });

  it('lists exactly the module outputs in its Outputs table, in file order', () => {
    const names = declared(['outputs.tf'], 'output');
    expect([...names].sort()).toEqual(Object.keys(tf.outputs).sort());
    expect(tableRows('Outputs').map((r) => r.name)).toEqual(names);
  });

  it.each([
    '## Required APIs',
    '## IAM roles and why',
    'terraform apply',
    'gcloud functions deploy',
  ])('has %s', (text) => {
    expect(readme).toContain(text);
  });

  it('gives the gcloud route the same runtime, entry point and trigger as the module', () => {
    const command = readme.slice(readme.indexOf('gcloud functions deploy bq-autoloader'));
    for (const flag of [
      '--gen2',
      '--runtime=nodejs22',
      '--entry-point=autoload',
      '--trigger-event-filters=type=google.cloud.storage.object.v1.finalized',
      '--retry',
    ]) {
      expect(command).toContain(flag);
    }
  });

  it('explains every role the module grants', () => {
    const roles = new Set(
      Object.values(tf.texts).flatMap((t) =>
        [...t.matchAll(/role\s*=\s*"(roles\/[^"]+)"/g)].map((m) => m[1]),
      ),
    );
    expect(roles.size).toBeGreaterThan(5);
    const section = readme.slice(
      readme.indexOf('## IAM roles and why'),
      readme.indexOf('## Deploy'),
    );
    expect([...roles].filter((role) => !section.includes(`\`${role}\``))).toEqual([]);
  });
});
