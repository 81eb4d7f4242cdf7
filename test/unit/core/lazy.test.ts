import { lazy } from '../../../src/core/lazy';

describe('lazy', () => {
  it('builds nothing until first used, then once for every caller', async () => {
    const build = jest.fn(async () => ({ id: Math.random() }));
    const value = lazy(build);
    expect(build).not.toHaveBeenCalled();
    const [a, b] = await Promise.all([value(), value()]);
    expect(await value()).toBe(a);
    expect(b).toBe(a);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed build, so the next use tries again', async () => {
    const build = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(new Error('flaky'))
      .mockResolvedValueOnce('ok');
    const value = lazy(build);
    await expect(value()).rejects.toThrow('flaky');
    await expect(value()).resolves.toBe('ok');
    await expect(value()).resolves.toBe('ok');
    expect(build).toHaveBeenCalledTimes(2);
  });
});
