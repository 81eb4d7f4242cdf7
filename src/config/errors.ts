/**
 * The one error a broken rules file produces. It lists every problem with its path in the
 * rules file (`routes[1].destination`), so a user fixes them all in one pass.
 */
export interface ConfigIssue {
  /** Bracket/dot path into the rules file, e.g. `routes[1].match.regex`; '' for the file. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: ConfigIssue[];

  constructor(message: string, issues: ConfigIssue[]) {
    super(message);
    this.issues = issues;
  }

  /** `source: path: why; path: why` — the message names the file and every problem. */
  static fromIssues(source: string, issues: ConfigIssue[]): ConfigError {
    const list = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return new ConfigError(`${source}: ${list}`, issues);
  }
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
