/** `bq-autoloader publish-request`: the message it builds from the command line. */
import { gunzipSync } from 'node:zlib';
import { buildMessage } from '../../../../src/cli/publish';

const TOPIC = { topic: 'projects/p/topics/ingest' };
const files: Record<string, Buffer> = {
  'data/rows.csv': Buffer.from('id\n1\n'),
  'data/rows.ndjson.gz': Buffer.from([0x1f, 0x8b, 0x08]),
};
const read = (path: string) => files[path] ?? Buffer.alloc(0);
const json = (data?: string) => JSON.parse(Buffer.from(data ?? '', 'base64').toString('utf8'));

describe('buildMessage', () => {
  it('publishes object URIs as a load request', () => {
    const { topic, message } = buildMessage(['gs://bkt/a.csv', 'gs://bkt/c.csv'], {
      ...TOPIC,
      route: 'sales',
    });
    expect(topic).toBe('projects/p/topics/ingest');
    expect(json(message.data)).toEqual({
      kind: 'load',
      objects: ['gs://bkt/a.csv', 'gs://bkt/c.csv'],
      route: 'sales',
    });
    expect(message.attributes).toBeUndefined();
  });

  it('expands a short topic name into the resolved project', () => {
    const { topic } = buildMessage(['gs://bkt/a.csv'], { topic: 'ingest' }, 'my-project');
    expect(topic).toBe('projects/my-project/topics/ingest');
  });

  it('publishes a prefix request', () => {
    expect(json(buildMessage([], { ...TOPIC, prefix: 'gs://bkt/p/' }).message.data)).toEqual({
      kind: 'load',
      prefix: 'gs://bkt/p/',
    });
  });

  it('sends a file as inline data with the route, the format from its extension and extra attributes', () => {
    const { message } = buildMessage(
      [],
      { ...TOPIC, route: 'sales', inline: 'data/rows.csv', attribute: ['bq-table=t1'] },
      undefined,
      read,
    );
    expect(message.attributes).toEqual({ route: 'sales', format: 'csv', 'bq-table': 't1' });
    expect(Buffer.from(message.data ?? '', 'base64').toString()).toBe('id\n1\n');
  });

  it('compresses with --gzip and marks a .gz file as gzip without compressing it again', () => {
    const zipped = buildMessage(
      [],
      { ...TOPIC, route: 'r', inline: 'data/rows.csv', gzip: true },
      undefined,
      read,
    );
    expect(zipped.message.attributes?.contentEncoding).toBe('gzip');
    expect(gunzipSync(Buffer.from(zipped.message.data ?? '', 'base64')).toString()).toBe('id\n1\n');
    const gz = buildMessage(
      [],
      { ...TOPIC, route: 'r', inline: 'data/rows.ndjson.gz' },
      undefined,
      read,
    );
    expect(gz.message.attributes).toEqual({
      route: 'r',
      format: 'ndjson',
      contentEncoding: 'gzip',
    });
    expect(Buffer.from(gz.message.data ?? '', 'base64')).toEqual(files['data/rows.ndjson.gz']);
  });

  it.each([
    {
      name: 'a short topic name without a project',
      uris: ['gs://bkt/a'],
      flags: { topic: 'ingest' },
      error: /no project/,
    },
    {
      name: 'a malformed topic',
      uris: ['gs://bkt/a'],
      flags: { topic: 'projects/p/topic/x' },
      error: /--topic/,
    },
    { name: 'no objects', uris: [], flags: TOPIC, error: /invalid request/ },
    {
      name: 'a non-gs URI',
      uris: ['https://x/y'],
      flags: TOPIC,
      error: /expected gs:\/\/BUCKET\/OBJECT/,
    },
    {
      name: 'objects and a prefix',
      uris: ['gs://bkt/a'],
      flags: { ...TOPIC, prefix: 'gs://bkt/' },
      error: /not both/,
    },
    {
      name: 'inline without a route',
      uris: [],
      flags: { ...TOPIC, inline: 'data/rows.csv' },
      error: /needs --route/,
    },
    {
      name: 'an empty file',
      uris: [],
      flags: { ...TOPIC, route: 'r', inline: 'missing.csv' },
      error: /is empty/,
    },
  ])('refuses $name', ({ uris, flags, error }) => {
    expect(() => buildMessage(uris, flags, undefined, read)).toThrow(error);
  });
});
