/**
 * A value built on first use and shared after it. With `import()` inside `build`, a cold
 * path's module — and the libraries it loads — stays out of the function's cold start: the
 * production bundle turns each dynamically imported module into a closure that runs on the
 * first call. Concurrent first uses share one build; a failed build is forgotten, so the
 * next use tries again instead of failing forever.
 */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= build().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
