import { lineFormatter, prettyLine } from '../../dev/pretty-log';

const at = new Date(2026, 10, 29, 9, 5, 7, 42);

describe('prettyLine', () => {
  it('turns an outcome line into time, severity, outcome, object, message and the telling fields', () => {
    const line = JSON.stringify({
      severity: 'ERROR',
      message: 'load job failed: bqal_sales_1: invalid: bad row',
      outcome: 'finished',
      object: 'gs://landing/sales/bad.csv',
      route: 'sales',
      destination: 'p.raw.sales',
      jobId: 'bqal_sales_1',
      state: 'failed',
      error: 'invalid: bad row',
      eventId: 'e1',
      'logging.googleapis.com/labels': { outcome: 'finished' },
    });
    expect(prettyLine(line, at)).toBe(
      '09:05:07.042 ERROR   finished  gs://landing/sales/bad.csv — load job failed: bqal_sales_1: invalid: bad row route=sales destination=p.raw.sales jobId=bqal_sales_1 state=failed error=invalid: bad row',
    );
  });

  it('does not repeat a reason the message already says, and passes other lines through', () => {
    const refused = JSON.stringify({
      severity: 'WARNING',
      message: 'request refused: body over 16777216 bytes',
      outcome: 'refused',
      reason: 'body over 16777216 bytes',
    });
    expect(prettyLine(refused, at)).toBe(
      '09:05:07.042 WARNING refused   — request refused: body over 16777216 bytes',
    );
    expect(prettyLine('Serving function...', at)).toBe('Serving function...');
    expect(prettyLine('[1,2]', at)).toBe('[1,2]');
    expect(prettyLine('{"no":"severity"}', at)).toBe('{"no":"severity"}');
  });
});

describe('lineFormatter', () => {
  it('writes whole lines only, JSON untouched with json on', () => {
    const out: string[] = [];
    const feed = lineFormatter((t) => out.push(t), true);
    feed('{"severity":"INFO","mess');
    expect(out).toEqual([]);
    feed('age":"hi"}\nplain\n');
    expect(out).toEqual(['{"severity":"INFO","message":"hi"}\n', 'plain\n']);
  });
});
