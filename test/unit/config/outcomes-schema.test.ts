import { ConfigError } from '../../../src/config/errors';
import { parseConfig } from '../../../src/config/parse';

function parse(extra: string) {
  const text = `routes:\n  - name: r\n    match: gs://b/x.csv\n    destination: raw.t\n${extra
    .split('\n')
    .filter(Boolean)
    .map((l) => `    ${l}`)
    .join('\n')}\n`;
  return parseConfig(text, 'rules.yaml');
}

function problemPaths(extra: string): string[] {
  try {
    parse(extra);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => i.path);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('route outcome options', () => {
  it('reads wait, onSuccess, onFailure and notifyTopic, defaulting the wait to 60 s', () => {
    const config = parse(
      'wait: {}\nonSuccess: { action: move, to: gs://archive/done/ }\nonFailure: { action: keep }\nnotifyTopic: projects/p/topics/loads',
    );
    expect(config.routes[0]).toMatchObject({
      wait: { timeoutSeconds: 60 },
      onSuccess: { action: 'move', to: 'gs://archive/done/' },
      onFailure: { action: 'keep' },
      notifyTopic: 'projects/p/topics/loads',
    });
  });

  it.each([
    ['a move without a target', 'onSuccess: { action: move }', 'routes[0].onSuccess.to'],
    [
      'a target without a move',
      'onSuccess: { action: delete, to: gs://a/ }',
      'routes[0].onSuccess.to',
    ],
    [
      'a target that is not a prefix',
      'onFailure: { action: move, to: gs://a/q }',
      'routes[0].onFailure.to',
    ],
    ['deleting a failed file', 'onFailure: { action: delete }', 'routes[0].onFailure.action'],
    ['a wait of zero seconds', 'wait: { timeoutSeconds: 0 }', 'routes[0].wait.timeoutSeconds'],
    ['a wait of two hours', 'wait: { timeoutSeconds: 7200 }', 'routes[0].wait.timeoutSeconds'],
    ['a topic that is not a full name', 'notifyTopic: loads', 'routes[0].notifyTopic'],
  ])('refuses %s', (_what, extra, path) => {
    expect(problemPaths(extra)).toContain(path);
  });
});
