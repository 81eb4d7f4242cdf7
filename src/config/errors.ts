/**
 * The one error a broken rules file produces. It lists every problem with its path in the
 * rules file (`routes[1].destination`) and, when the file's text is known, its line and
 * column, so a user finds and fixes them all in one pass.
 */
export interface ConfigIssue {
  /** Bracket/dot path into the rules file, e.g. `routes[1].match.regex`; '' for the file. */
  path: string;
  message: string;
  /** 1-based position of the node the path names (src/config/positions.ts). */
  line?: number;
  column?: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: ConfigIssue[];
  /** The rules file's location, when the error was made from issues. */
  readonly source?: string;

  constructor(message: string, issues: ConfigIssue[], source?: string) {
    super(message);
    this.issues = issues;
    this.source = source;
  }

  /** `source:line:column: path: why; …` — the message names the file and every problem. */
  static fromIssues(source: string, issues: ConfigIssue[]): ConfigError {
    const located = issues.some((i) => i.line !== undefined);
    const list = issues
      .map((i) =>
        located ? formatIssue(source, i) : i.path ? `${i.path}: ${i.message}` : i.message,
      )
      .join('; ');
    return new ConfigError(located ? list : `${source}: ${list}`, issues, source);
  }
}

/** `rules.yaml:4:5: routes[0].load.skipLeadingRows: why` — one problem as an editor links it. */
export function formatIssue(source: string, issue: ConfigIssue): string {
  const at = issue.line === undefined ? '' : `:${issue.line}:${issue.column ?? 1}`;
  return `${source}${at}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** `['routes', 1, 'destination']` → `routes[1].destination`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
