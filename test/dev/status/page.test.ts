/**
 * The status page renders attacker-controlled text (object names, error messages, rules):
 * all of it must come out as text, never as markup or a broken attribute.
 */
import {
  escapeHtml,
  type LoadRow,
  renderStatusPage,
  type StatusModel,
} from '../../../dev/status/page';

const EVIL = `gs://landing/<script>alert(1)</script>"><img src=x onerror=alert(2)>'.csv`;

function model(loads: LoadRow[], extra: Partial<StatusModel> = {}): StatusModel {
  return {
    configPath: '/rules/<u>autoloader</u>.yaml',
    routes: [{ name: 'orders', match: 'gs://landing/<x>/*.csv', destination: 'raw.orders' }],
    loads,
    tables: [{ table: 'raw.<t>', rows: '3' }],
    notices: [],
    generatedAt: new Date('2026-11-29T10:00:00Z'),
    ...extra,
  };
}

describe('escapeHtml', () => {
  it('escapes the five characters that end text or an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('renderStatusPage', () => {
  it('shows hostile object names, errors, rules and notices as text only', () => {
    const html = renderStatusPage(
      model(
        [
          {
            object: EVIL,
            generation: '1',
            state: 'failed',
            jobId: 'bqal_x',
            error: 'invalid: <iframe src=//evil>',
            jobErrors: [
              { reason: 'invalid', message: 'line_number: 2 <svg onload=x>', location: EVIL },
            ],
          },
        ],
        { notices: ['replay <script>x</script>'] },
      ),
    );
    for (const markup of ['<script', '<img', '<iframe', '<svg', '<u>', '<x>', '<t>']) {
      expect(html).not.toContain(markup);
    }
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img');
    // The hidden field carries the exact name back, quotes escaped inside the attribute.
    expect(html).toContain(`name="object" value="${escapeHtml(EVIL)}"`);
    expect(html).toContain('line_number: 2 &lt;svg onload=x&gt;');
  });

  it('groups loads by state and offers replay for failed objects only', () => {
    const html = renderStatusPage(
      model([
        { object: 'gs://b/ok.csv', generation: '2', state: 'loaded', rows: '5' },
        { object: 'gs://b/bad.csv', generation: '3', state: 'failed', error: 'invalid: x' },
        { object: 'gs://b/run.csv', generation: '4', state: 'claimed' },
      ]),
    );
    const failed = html.slice(
      html.indexOf('id="state-failed"'),
      html.indexOf('id="state-claimed"'),
    );
    const loaded = html.slice(html.indexOf('id="state-loaded"'), html.indexOf('id="tables"'));
    expect(failed).toContain('gs://b/bad.csv');
    expect(failed).toContain('action="/replay"');
    expect(loaded).toContain('gs://b/ok.csv');
    expect(loaded).not.toContain('<form');
    expect(html).toContain('loaded: 1 · failed: 1 · claimed: 1');
  });

  it('refreshes itself only when asked to', () => {
    expect(renderStatusPage(model([]), 5)).toContain('http-equiv="refresh" content="5"');
    expect(renderStatusPage(model([]), 0)).not.toContain('http-equiv="refresh"');
  });
});
