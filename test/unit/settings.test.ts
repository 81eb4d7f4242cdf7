import { DEFAULT_RETRY_BUDGET_MS, readSettings } from '../../src/settings';

describe('readSettings', () => {
  it('defaults the retry budget of an event to 20 s', () => {
    expect(readSettings({})).toEqual({
      retry: { budgetMs: DEFAULT_RETRY_BUDGET_MS },
      retryBudgetMs: 20_000,
      markers: true,
    });
  });

  it('reads AUTOLOADER_RETRY_BUDGET_MS as the budget of an event and of a call outside one', () => {
    expect(readSettings({ AUTOLOADER_RETRY_BUDGET_MS: '5000' })).toEqual({
      retry: { budgetMs: 5_000 },
      retryBudgetMs: 5_000,
      markers: true,
    });
  });

  it.each(['-1', '1.5', 'soon'])('refuses AUTOLOADER_RETRY_BUDGET_MS=%s, naming it', (value) => {
    expect(() => readSettings({ AUTOLOADER_RETRY_BUDGET_MS: value })).toThrow(
      /AUTOLOADER_RETRY_BUDGET_MS must be a whole number/,
    );
  });

  it('turns the claim before each insert off with AUTOLOADER_MARKERS=off', () => {
    expect(readSettings({ AUTOLOADER_MARKERS: 'off' }).markers).toBe(false);
    expect(readSettings({ AUTOLOADER_MARKERS: 'on' }).markers).toBe(true);
  });

  it('refuses any other AUTOLOADER_MARKERS value, naming it', () => {
    expect(() => readSettings({ AUTOLOADER_MARKERS: 'no' })).toThrow(
      'AUTOLOADER_MARKERS must be "on" or "off", got "no"',
    );
  });
});
