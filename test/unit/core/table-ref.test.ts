import {
  formatTableName,
  formatTableReference,
  parseTableName,
  toTableReference,
  withoutDecorator,
} from '../../../src/core/table-ref';

describe('parseTableName', () => {
  it.each([
    ['raw.events', { dataset: 'raw', table: 'events' }],
    ['p.raw.events', { project: 'p', dataset: 'raw', table: 'events' }],
    ['example.com:p.raw.events', { project: 'example.com:p', dataset: 'raw', table: 'events' }],
    ['raw.events$20260101', { dataset: 'raw', table: 'events', decorator: '20260101' }],
    ['events', undefined],
    ['events$2026.x', undefined],
  ])('%s → %j', (text, expected) => {
    expect(parseTableName(text)).toEqual(expected);
  });
});

describe('table references', () => {
  const name = { project: 'p', dataset: 'raw', table: 'events', decorator: '2026' };

  it('carries the decorator in tableId, and leaves it out of the table name', () => {
    const ref = toTableReference(name);
    expect(ref).toEqual({ projectId: 'p', datasetId: 'raw', tableId: 'events$2026' });
    expect(formatTableReference(ref)).toBe('p.raw.events$2026');
    expect(formatTableName(name)).toBe('p.raw.events');
    expect(withoutDecorator(ref)).toEqual({ projectId: 'p', datasetId: 'raw', tableId: 'events' });
  });
});
