import { ConfigError } from '../../../src/config/errors';
import { parseConfig } from '../../../src/config/parse';
import { locateIssues, pathSegments, positionAt } from '../../../src/config/positions';

function refused(text: string, source: string): ConfigError {
  try {
    parseConfig(text, source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('positions of rules-file problems', () => {
  it('turns an offset into a 1-based line and column', () => {
    expect(positionAt('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(positionAt('ab\ncd\nef', 6)).toEqual({ line: 3, column: 1 });
  });

  it('splits a formatted path into keys and indexes', () => {
    expect(pathSegments('routes[2].load.skipLeadingRows')).toEqual([
      'routes',
      2,
      'load',
      'skipLeadingRows',
    ]);
    expect(pathSegments('')).toEqual([]);
  });

  it('places a YAML schema problem on the key that holds it', () => {
    const text =
      'routes:\n  - name: a\n    match: gs://b/*.csv\n    destination: raw.t\n    load:\n      skipLeadingRows: -1\n';
    const error = refused(text, 'rules.yaml');
    expect(error.issues).toEqual([
      expect.objectContaining({ path: 'routes[0].load.skipLeadingRows', line: 6, column: 7 }),
    ]);
    expect(error.message).toMatch(/^rules\.yaml:6:7: routes\[0\]\.load\.skipLeadingRows: /);
  });

  it('places a YAML syntax error', () => {
    const error = refused('routes:\n  - name: a\n    match: [gs://b\n', 'rules.yaml');
    expect(error.issues[0]).toMatchObject({ path: '', line: expect.any(Number) });
    expect(error.message).toMatch(/^rules\.yaml:\d+:\d+: not valid YAML\/JSON/);
  });

  it('places a JSON schema problem, parsing the text again only to locate it', () => {
    const text = `{\n  "routes": [\n    { "name": "a", "match": "gs://b/x", "destination": "raw.t" },\n    { "name": "b", "match": "gs://b/y", "destination": "raw.u",\n      "load": { "writeDisposition": "NOPE" } }\n  ]\n}\n`;
    const error = refused(text, 'rules.json');
    expect(error.issues).toEqual([
      expect.objectContaining({ path: 'routes[1].load.writeDisposition', line: 5, column: 17 }),
    ]);
  });

  it('places a JSON syntax error', () => {
    const error = refused('{\n  "routes": [\n    { "name": "a", }\n', 'rules.json');
    expect(error.message).toMatch(/^rules\.json:\d+:\d+: not valid YAML\/JSON/);
  });

  it('points a path that goes beyond the file at its deepest existing node', () => {
    const text = 'routes:\n  - name: a\n    match: gs://b/x\n';
    expect(locateIssues(text, [{ path: 'routes[0].destination', message: 'required' }])).toEqual([
      { path: 'routes[0].destination', message: 'required', line: 2, column: 5 },
    ]);
    expect(locateIssues(text, [{ path: 'routes[0]', message: 'x' }])[0]).toMatchObject({
      line: 2,
      column: 5,
    });
  });
});
