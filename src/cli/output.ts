/**
 * Results on stdout: readable text by default, the same result as JSON with `--json` for
 * scripts. Notes, progress and errors go to stderr, so stdout holds only the result.
 */

export type Out = Pick<NodeJS.WriteStream, 'write'>;

export function printResult(
  json: boolean | undefined,
  result: unknown,
  human: () => string,
  stdout: Out = process.stdout,
): void {
  stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${human().replace(/\n*$/, '')}\n`);
}

/** Rows as aligned columns under a header (the human form of lists). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * Progress of a long operation: one self-overwriting line on a terminal, at most ten times a
 * second; nothing at all in a pipe or a file, where it would only be noise in a log.
 */
export function progressLine<P>(
  stream: NodeJS.WriteStream,
  render: (progress: P) => string,
): { show?: (progress: P) => void; done: () => void } {
  if (!stream.isTTY) return { done: () => {} };
  let last = 0;
  let shown = false;
  return {
    show: (progress) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      stream.write(`\r${render(progress)}\x1b[K`);
    },
    done: () => {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
