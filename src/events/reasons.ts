/**
 * Turns zod issues into short reasons that name the field (`data.generation: expected …`).
 * Reasons are logged, so they say where and what was expected — never the value received,
 * which may be customer data.
 */
import type * as z from 'zod';

/** Path segments as a readable field name: `data.message.attributes.objectId`, `items[2].name`. */
export function fieldName(prefix: string, path: readonly PropertyKey[]): string {
  let name = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') name += `[${segment}]`;
    else name += name ? `.${String(segment)}` : String(segment);
  }
  return name || '(root)';
}

/** At most three issues, each `field: message`, joined by `; `. */
export function describeIssues(error: z.ZodError, prefix: string): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    return `${fieldName(prefix, issue.path)}: ${lowerFirst(issue.message)}`;
  });
  const more = error.issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')} (and ${more} more)` : shown.join('; ');
}

/** zod's default messages read "Invalid input: expected …, received …"; keep the expectation. */
function lowerFirst(message: string): string {
  const trimmed = message
    .replace(/^Invalid input: /, '')
    .replace(/^(expected .*), received undefined$/, 'missing ($1)');
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}
