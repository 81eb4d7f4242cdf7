/**
 * One Node major everywhere: the runtime the module deploys by default is the one `engines`
 * promises and the one the project's own scripts run on (the registry's node-<os>-<cpu>
 * packages through tools/node22, linked as node_modules/.bin/node, first on npm's PATH).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModule, MODULE_DIR, REPO_ROOT } from './hcl';

interface PackageJson {
  engines?: { node?: string };
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
interface LockEntry {
  dev?: boolean;
  optional?: boolean;
  os?: string | string[];
  cpu?: string | string[];
  bin?: Record<string, string>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8'));
const rootPackage = readJson<PackageJson>('package.json');
const nodePackage = readJson<PackageJson>('tools/node22/package.json');
const lock = readJson<{ packages: Record<string, LockEntry> }>('package-lock.json');

let deployedMajor: number;
beforeAll(async () => {
  const tf = await loadModule(MODULE_DIR);
  const match = /runtime\s*=\s*optional\(string, "nodejs(\d+)"\)/.exec(
    String(tf.variables.function?.type),
  );
  if (!match) throw new Error('the function variable has no default nodejsNN runtime');
  deployedMajor = Number(match[1]);
});

describe('the Node runtime', () => {
  it('is the deployed default major in engines', () => {
    expect(rootPackage.engines?.node).toBe(`>=${deployedMajor}`);
  });

  it('is the major this test process runs on', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(deployedMajor);
  });

  it('comes from per-platform registry packages of that major, each linking bin/node', () => {
    expect(rootPackage.devDependencies?.['bq-autoloader-node22']).toBe('file:tools/node22');
    const wanted = Object.entries(nodePackage.optionalDependencies ?? {});
    expect(wanted.length).toBeGreaterThan(0);
    for (const [name, range] of wanted) {
      expect([name, range]).toEqual([name, expect.stringMatching(`^\\^${deployedMajor}\\.`)]);
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry?.bin).toEqual({ node: 'bin/node' });
      expect(entry?.os && entry.cpu).toBeTruthy();
    }
  });

  it('is installed for development only and skipped where its os/cpu does not match', () => {
    for (const name of Object.keys(nodePackage.optionalDependencies ?? {})) {
      const entry = lock.packages[`node_modules/${name}`];
      expect([name, entry?.dev, entry?.optional]).toEqual([name, true, true]);
    }
  });
});
