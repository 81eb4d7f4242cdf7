import { compileDestination } from '../../../src/routing/destination';
import {
  compileTemplate,
  type TemplateContext,
  TemplateSyntaxError,
} from '../../../src/routing/template';

const ctx: TemplateContext = {
  captures: { region: 'eu', yyyy: '2026' },
  bucket: 'landing',
  name: 'sales/eu/day.2026.csv.gz',
  route: 'sales',
  generation: '1764324000000001',
  timeCreated: '2026-03-04T05:06:07.000Z',
};

describe('compileTemplate', () => {
  it.each([
    ['sales_{region}', 'sales_eu'],
    ['t{yyyy}', 't2026'],
    ['{bucket}', 'landing'],
    ['{basename}', 'day.2026'],
    ['{route}_x', 'sales_x'],
    ['g{generation}', 'g1764324000000001'],
    ['{created:yyyyMMdd}', '20260304'],
    ['{created:yyyy_MM_dd_HH}', '2026_03_04_05'],
    ['plain', 'plain'],
  ])('renders %s as %s', (source, expected) => {
    expect(compileTemplate(source, ['region', 'yyyy']).render(ctx)).toEqual({
      ok: true,
      value: expected,
    });
  });

  it.each([
    ['{name}', /unknown placeholder "\{name\}"/],
    ['{regoin}', /"\{regoin\}" \(did you mean \{region\}\?\); available: \{region\}/],
    ['{bukcet}', /did you mean \{bucket\}\?/],
    ['{name}', /^unknown placeholder "\{name\}"; available:/],
    ['{created:yyyy.MM}', /format may only use/],
    ['{created:mmm}', /format may only use/],
    ['a{b', /unbalanced/],
  ])('rejects %s at compile time', (source, message) => {
    expect(() => compileTemplate(source, ['region'])).toThrow(TemplateSyntaxError);
    expect(() => compileTemplate(source, ['region'])).toThrow(message);
  });

  it('says why {created:…} cannot render without timeCreated', () => {
    const t = compileTemplate('{created:yyyy}', []);
    expect(t.render({ ...ctx, timeCreated: undefined })).toEqual({
      ok: false,
      reason: expect.stringMatching(/timeCreated/),
    });
  });
});

describe('compileDestination', () => {
  it.each([
    ['raw.sales_{region}', { dataset: 'raw', table: 'sales_eu' }],
    ['p-123456.raw.t', { project: 'p-123456', dataset: 'raw', table: 't' }],
    ['example.com:proj-1x.raw.t', { project: 'example.com:proj-1x', dataset: 'raw', table: 't' }],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a destination template, not JS
    ['raw.t${created:yyyyMMdd}', { dataset: 'raw', table: 't', decorator: '20260304' }],
  ])('splits %s into its parts', (source, parts) => {
    expect(compileDestination(source, ['region']).render(ctx)).toEqual({ ok: true, parts });
  });

  it('keeps a capture holding a dot inside the table part', () => {
    const d = compileDestination('raw.{file}', ['file']);
    expect(d.render({ ...ctx, captures: { file: 'a.csv' } })).toEqual({
      ok: true,
      parts: { dataset: 'raw', table: 'a.csv' },
    });
  });

  it.each([
    ['justtable', /expected \[project\.\]dataset\.table/],
    ['bad-dataset.t', /dataset id "bad-dataset" is invalid/],
    ['raw.t$2026013', /decorator "\$2026013" is invalid/],
    ['Bad_Project.raw.t', /project id "Bad_Project"/],
    ['raw.', /table id "" is invalid/],
  ])('rejects the literal %s at compile time', (source, message) => {
    expect(() => compileDestination(source, [])).toThrow(message);
  });
});
