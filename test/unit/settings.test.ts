import { DEFAULT_RETRY_BUDGET_MS, readSettings } from '../../src/settings';

describe('readSettings', () => {
  it('defaults the retry budget of an event to 20 s', () => {
    expect(readSettings({})).toEqual({
      retry: { budgetMs: DEFAULT_RETRY_BUDGET_MS },
      retryBudgetMs: 20_000,
    });
  });

  it('reads AUTOLOADER_RETRY_BUDGET_MS as the budget of an event and of a call outside one', () => {
    expect(readSettings({ AUTOLOADER_RETRY_BUDGET_MS: '5000' })).toEqual({
      retry: { budgetMs: 5_000 },
      retryBudgetMs: 5_000,
    });
  });

  it.each(['-1', '1.5', 'soon'])('refuses AUTOLOADER_RETRY_BUDGET_MS=%s, naming it', (value) => {
    expect(() => readSettings({ AUTOLOADER_RETRY_BUDGET_MS: value })).toThrow(
      /AUTOLOADER_RETRY_BUDGET_MS must be a whole number/,
    );
  });
});
