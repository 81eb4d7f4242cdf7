/**
 * The command line's conventions (docs/cli.md): --version and --help, exit codes, errors on
 * stderr, --json; commands finding the local stack through stack.json; `status` listing
 * recent loads and explaining one object.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MARKER_ERROR, MARKER_JOB, MARKER_ROWS, MARKER_STATE } from '../../src/gcp/storage/markers';
import { freePort } from '../support/free-port';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { runCli as cli, REPO } from '../support/run-cli';

let stack: LocalStack;
let rules: string;

beforeAll(async () => {
  stack = await startLocalStack();
  rules = stack.writeRules(
    'routes:\n' +
      '  - name: orders\n    match: gs://conv/orders/*.csv\n    destination: raw.orders\n' +
      '  - name: events\n    match: gs://conv/events/{yyyy}/*.ndjson\n    destination: raw.events\n',
    'conventions.yaml',
  );
});

afterAll(async () => {
  await stack?.close();
});

describe('conventions', () => {
  it('prints the package version with --version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits 2 with the usage on stderr when no command is given', async () => {
    const { code, stdout, stderr } = await cli([]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^Usage: bq-autoloader /);
  });

  it.each([
    ['an unknown command', ['nope'], /unknown command 'nope'/],
    ['an unknown option', ['validate', '--nope'], /unknown option '--nope'/],
    ['a missing argument', ['plan'], /missing required argument 'object'/],
    [
      'a generation that is not digits',
      ['plan', 'gs://b/x.csv', '--generation', 'abc'],
      /--generation/,
    ],
    [
      'offline flags without --generation',
      ['plan', 'gs://b/x.csv', '--size', '3'],
      /give --generation too/,
    ],
    ['a bad duration', ['status', '--route', 'r', '--since', 'soon'], /--since/],
    ['a malformed topic', ['publish-request', '--topic', 'projects/p', 'gs://b/x'], /--topic/],
  ])('exits 2 on %s, with the error on stderr', async (_case, args, message) => {
    const { code, stdout, stderr } = await cli(args, { GOOGLE_CLOUD_PROJECT: 'p' });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/--help/);
  });

  it.each([
    'validate',
    'compile',
    'plan',
    'sweep',
    'status',
    'retry',
    'replay',
    'publish-request',
    'local',
    'local query',
  ])('prints the usage of %s on stdout with --help', async (command) => {
    const { code, stdout, stderr } = await cli([...command.split(' '), '--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const name = command === 'replay' ? 'retry\\|replay' : command;
    expect(stdout).toMatch(new RegExp(`^Usage: bq-autoloader ${name}`));
  });
});

describe('validate finds the rules file as npm start does', () => {
  it('falls back to the example rules in a checkout, saying so', async () => {
    const { code, stdout, stderr } = await cli(['validate']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('./examples/autoloader.yaml: OK (4 routes)');
    expect(stderr).toMatch(/using the example rules \.\/examples\/autoloader\.yaml/);
  });

  it('says once, clearly, that there is no rules file', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'bqal-norules-'));
    const { code, stdout, stderr } = await cli(['validate'], {}, empty);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(
      'no rules file at ./autoloader.yaml (the default): create it (see examples/autoloader.yaml), pass --config FILE or set AUTOLOADER_CONFIG\n',
    );
    const named = await cli(['validate', '--config', join(empty, 'gone.yaml')]);
    expect(named.code).toBe(1);
    expect(named.stderr.trim().split('\n')).toHaveLength(1);
    expect(named.stderr).toMatch(/no rules file at .*gone\.yaml \(--config\)/);
  });
});

describe('commands find the local stack npm start runs', () => {
  function writeStack(info: Record<string, unknown>): string {
    const dir = mkdtempSync(join(tmpdir(), 'bqal-localdir-'));
    writeFileSync(join(dir, 'stack.json'), JSON.stringify(info));
    return dir;
  }
  const running = () =>
    writeStack({
      project: TEST_PROJECT,
      functionUrl: 'http://127.0.0.1:9',
      bigqueryUrl: stack.bigquery.url,
      gcsUrl: stack.gcs.url,
      metadataHost: stack.metadata.host,
      config: rules,
      statusPage: 'a field this version does not know',
    });

  it('uses its servers, project and rules when no emulator variable is set', async () => {
    const marked = (state: string, extra: Record<string, string> = {}) => ({
      metadata: { [MARKER_STATE]: state, [MARKER_JOB]: `job-${state}`, ...extra },
    });
    stack.gcs.store.insert(
      'conv',
      'orders/a.csv',
      Buffer.from('id\n1\n'),
      marked('loaded', { [MARKER_ROWS]: '1' }),
    );
    stack.gcs.store.insert(
      'conv',
      'orders/b.csv',
      Buffer.from('id\n2\n'),
      marked('failed', { [MARKER_ERROR]: 'invalid: bad row' }),
    );
    stack.gcs.store.insert('conv', 'orders/c.csv', Buffer.from('id\n3\n'), {});
    stack.gcs.store.insert('conv', 'misc/x.txt', Buffer.from('x'), {});
    const env = { AUTOLOADER_LOCAL_DIR: running() };

    const recent = await cli(['status', '--json'], env);
    expect(recent.code).toBe(0);
    expect(recent.stderr).toMatch(
      /^using the local stack started by npm start \(.*stack\.json\)\n$/,
    );
    const objects = JSON.parse(recent.stdout).objects as { object: string; updated: string }[];
    expect(objects.map((o) => o.object).sort()).toEqual([
      'gs://conv/orders/a.csv',
      'gs://conv/orders/b.csv',
    ]);
    expect((objects[0]?.updated ?? '') >= (objects[1]?.updated ?? '')).toBe(true);
    expect(objects).toContainEqual(
      expect.objectContaining({ state: 'failed', error: 'invalid: bad row' }),
    );

    const table = await cli(['status'], env);
    expect(table.stdout).toMatch(/^UPDATED +STATE +ROWS +OBJECT +ERROR\n/);
    expect(table.stdout).toMatch(/ failed +gs:\/\/conv\/orders\/b\.csv +invalid: bad row\n/);

    const unmarked = await cli(['status', 'gs://conv/orders/c.csv', '--json'], env);
    expect(JSON.parse(unmarked.stdout)).toMatchObject({
      state: 'none',
      would: 'load',
      route: 'orders',
      destination: `${TEST_PROJECT}.raw.orders`,
      jobId: expect.stringMatching(/^bqal_orders_/),
    });

    const unrouted = await cli(['status', 'gs://conv/misc/x.txt'], env);
    expect(unrouted.code).toBe(0);
    expect(unrouted.stdout).toMatch(
      /no route matches; the closest route orders \(gs:\/\/conv\/orders\/\*\.csv\) differs at character 1 of the name: expected "orders\/", found "misc\/x\.txt"/,
    );

    const query = await cli(['local', 'query', 'SELECT 1 AS one', '--json'], env);
    expect(query.code).toBe(0);
    expect(JSON.parse(query.stdout).map((r: { one: unknown }) => String(r.one))).toEqual(['1']);
  });

  it('says the stack is not running when stack.json is left by a stopped npm start', async () => {
    const gone = `127.0.0.1:${await freePort()}`;
    const env = {
      AUTOLOADER_LOCAL_DIR: writeStack({
        project: TEST_PROJECT,
        functionUrl: `http://${gone}`,
        bigqueryUrl: `http://${gone}`,
        gcsUrl: `http://${gone}`,
        metadataHost: gone,
        config: rules,
      }),
    };
    for (const args of [['status'], ['local', 'query', 'SELECT 1']]) {
      const { code, stdout, stderr } = await cli(args, env);
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toMatch(
        /^the local stack is not running \(.*stack\.json is left from an earlier npm start; .*\): start it with npm start/,
      );
      expect(stderr).not.toMatch(/fetch failed/);
    }
  });

  it('refuses a stack.json that points beyond this machine (it would receive a token)', async () => {
    const env = {
      AUTOLOADER_LOCAL_DIR: writeStack({
        project: TEST_PROJECT,
        functionUrl: 'http://127.0.0.1:1',
        bigqueryUrl: 'http://collector.example:80',
        gcsUrl: stack.gcs.url,
        metadataHost: stack.metadata.host,
        config: rules,
      }),
    };
    const { code, stderr } = await cli(['status'], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /points at http:\/\/collector\.example:80, which is not this machine's loopback/,
    );
  });

  it('leaves the stack alone when the user points the command elsewhere', async () => {
    const env = {
      AUTOLOADER_LOCAL_DIR: running(),
      ...stack.env,
      METADATA_SERVER_DETECTION: 'assume-present',
    };
    const { code, stderr } = await cli(['status', '--config', rules, '--json'], env);
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/using the local stack/);
  });
});
