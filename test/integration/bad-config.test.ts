/** A broken rules file stops the instance at start, naming the field — it never serves. */
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack } from '../support/local-stack';

let stack: LocalStack;
const started: FunctionProcess[] = [];

beforeAll(async () => {
  stack = await startLocalStack();
});

afterAll(async () => {
  await Promise.all(started.map((f) => f.stop()));
  await stack?.close();
});

it.each([
  [
    'an unknown key',
    'routes:\n  - name: a\n    match: gs://b/*.csv\n    destination: raw.t\n    detination: x\n',
    /routes\[0\]/,
  ],
  [
    'a bad enum value',
    'routes:\n  - name: a\n    match: gs://b/*.csv\n    destination: raw.t\n    load: { writeDisposition: WRITE_SOMETIMES }\n',
    /routes\[0\]\.load\.writeDisposition/,
  ],
  [
    'a route shadowed by an earlier one',
    'routes:\n  - name: a\n    match: gs://b/**\n    destination: raw.t\n  - name: b\n    match: gs://b/x/*.csv\n    destination: raw.u\n',
    /routes\[1\]/,
  ],
])('with %s exits with a CRITICAL line naming the path', async (_case, rules, path) => {
  const fn = await startFunction({
    ...stack.env,
    AUTOLOADER_CONFIG: stack.writeRules(rules, `bad-${started.length}.yaml`),
  });
  started.push(fn);
  const code = await fn.exited;
  expect(code).not.toBe(0);
  const line = fn.logs.find((l) => l.severity === 'CRITICAL');
  expect(String(line?.message)).toMatch(path);
});

it('that does not exist exits naming the location', async () => {
  const fn = await startFunction({ ...stack.env, AUTOLOADER_CONFIG: '/nonexistent/rules.yaml' });
  started.push(fn);
  expect(await fn.exited).not.toBe(0);
  expect(fn.output()).toMatch(/\/nonexistent\/rules\.yaml/);
});

it.each([
  ['AUTOLOADER_RETRY_BUDGET_MS', 'soon'],
  ['AUTOLOADER_MARKERS', 'maybe'],
  ['AUTOLOADER_SWEEP_CLAIM_GRACE_SECONDS', 'ten'],
])('an unreadable %s exits with a CRITICAL line naming it', async (variable, value) => {
  const fn = await startFunction({
    ...stack.env,
    AUTOLOADER_CONFIG: stack.writeRules(
      'routes:\n  - name: a\n    match: gs://b/*.csv\n    destination: raw.t\n',
      `good-${started.length}.yaml`,
    ),
    [variable]: value,
  });
  started.push(fn);
  expect(await fn.exited).not.toBe(0);
  const line = fn.logs.find((l) => l.severity === 'CRITICAL');
  expect(String(line?.message)).toContain(`${variable} must be`);
});

it.each([
  [
    'a rules file naming a universe the credentials do not belong to',
    'universeDomain: s3nsapis.fr\n',
    {},
    'universe mismatch: the rules file says s3nsapis.fr but the credentials belong to googleapis.com',
  ],
  [
    'GOOGLE_CLOUD_UNIVERSE_DOMAIN naming another universe than the credentials',
    '',
    { GOOGLE_CLOUD_UNIVERSE_DOMAIN: 's3nsapis.fr' },
    'universe mismatch: GOOGLE_CLOUD_UNIVERSE_DOMAIN says s3nsapis.fr but the credentials belong to googleapis.com',
  ],
  [
    'regional endpoints in a location without them',
    'endpoints: regional\nlocation: asia-northeast1\n',
    {},
    'location: asia-northeast1 has no BigQuery regional endpoint in googleapis.com',
  ],
])('%s exits with a CRITICAL line naming both', async (_case, top, env, message) => {
  const fn = await startFunction({
    ...stack.env,
    AUTOLOADER_CONFIG: stack.writeRules(
      `${top}routes:\n  - name: a\n    match: gs://b/*.csv\n    destination: raw.t\n`,
      `universe-${started.length}.yaml`,
    ),
    ...env,
  });
  started.push(fn);
  expect(await fn.exited).not.toBe(0);
  const line = fn.logs.find((l) => l.severity === 'CRITICAL');
  expect(String(line?.message)).toContain(message);
});

it('a route outside the allowlists starts, with a WARNING line naming its file:line:column', async () => {
  const rules = stack.writeRules(
    'project: p\nallow:\n  buckets: [landing-*]\nroutes:\n  - name: a\n    match: gs://elsewhere/*.csv\n    destination: raw.t\n',
    `warning-${started.length}.yaml`,
  );
  const fn = await startFunction({ ...stack.env, AUTOLOADER_CONFIG: rules });
  started.push(fn);
  const line = await fn.waitForLog((l) => l.severity === 'WARNING');
  expect(line.message).toContain(`${rules}:6:5: routes[0].match: route "a" is unreachable`);
  expect(line.path).toBe('routes[0].match');
});
