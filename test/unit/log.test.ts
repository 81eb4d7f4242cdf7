import { log, setLogSink, traceIdOf } from '../../src/log';

describe('log', () => {
  it('writes one JSON line with severity, message and fields', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    log('INFO', 'loaded', { outcome: 'submitted', jobId: 'j1' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toEqual({
      severity: 'INFO',
      message: 'loaded',
      outcome: 'submitted',
      jobId: 'j1',
      'logging.googleapis.com/labels': { outcome: 'submitted' },
    });
  });

  it('labels an outcome line by outcome, route and table (no partition decorator), and nothing else', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    log('INFO', 'x', { outcome: 'finished', route: 'sales', destination: 'p.raw.sales$20261101' });
    log('INFO', 'y', { jobId: 'j' });
    expect(JSON.parse(lines[0] as string)['logging.googleapis.com/labels']).toEqual({
      outcome: 'finished',
      route: 'sales',
      table: 'p.raw.sales',
    });
    expect(JSON.parse(lines[1] as string)).not.toHaveProperty('logging.googleapis.com/labels');
  });

  it('adds the Cloud Logging trace field from a traceparent header', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    log(
      'INFO',
      'x',
      {},
      {
        header: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        projectId: 'p',
      },
    );
    expect(JSON.parse(lines[0] as string)['logging.googleapis.com/trace']).toBe(
      'projects/p/traces/0af7651916cd43dd8448eb211c80319c',
    );
  });

  it.each([
    ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '0af7651916cd43dd8448eb211c80319c'],
    ['105445aa7843bc8bf206b12000100000/1;o=1', '105445aa7843bc8bf206b12000100000'],
    ['garbage', undefined],
  ])('reads the trace id of %s', (header, expected) => {
    expect(traceIdOf(header)).toBe(expected);
  });
});

describe('log field bounds', () => {
  it('cuts a string field past 2,048 characters, saying how long it was', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    log('WARNING', 'm', { object: `gs://b/${'x'.repeat(10_000)}` });
    const entry = JSON.parse(lines[0] ?? '{}') as { object: string };
    expect(entry.object).toHaveLength(2048 + ' (10007 characters)'.length + 1);
    expect(entry.object).toMatch(/… \(10007 characters\)$/);
  });

  it('cuts strings one level down too: in an array or object field', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    const long = 'x'.repeat(10_000);
    log('WARNING', 'm', { sources: ['gs://b/a', long], detail: { name: long, size: 3 } });
    const entry = JSON.parse(lines[0] ?? '{}') as {
      sources: string[];
      detail: { name: string; size: number };
    };
    expect(entry.sources[0]).toBe('gs://b/a');
    expect(entry.sources[1]).toMatch(/^x{2048}… \(10000 characters\)$/);
    expect(entry.detail).toEqual({
      name: expect.stringMatching(/… \(10000 characters\)$/),
      size: 3,
    });
  });
});
