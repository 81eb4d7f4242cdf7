/**
 * Destination templates: literal text with `{placeholder}`s, compiled once at cold start so
 * an unknown placeholder is a config error, not a surprise at the first event.
 * Placeholders: the route's match captures, and the built-ins `{bucket}`, `{basename}`
 * (file name without folders and extensions), `{route}`, `{generation}` and
 * `{created:FORMAT}` (the object's timeCreated in UTC; tokens yyyy, MM, dd, HH).
 * There is no `{name}`: object names hold `/`, which no table id may.
 */
import { basenameOf } from './format';

export const BUILT_INS = ['bucket', 'basename', 'route', 'generation'] as const;

export interface TemplateContext {
  captures: Record<string, string>;
  bucket: string;
  name: string;
  route: string;
  generation: string;
  timeCreated?: string;
}

export type Rendered = { ok: true; value: string } | { ok: false; reason: string };

export interface CompiledTemplate {
  source: string;
  /** True when the template has no placeholder (its value can be checked at compile time). */
  literal: boolean;
  render(ctx: TemplateContext): Rendered;
}

export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
}

type Part = (ctx: TemplateContext) => Rendered;

/** Compiles `source`; `captures` are the names the route's match provides. */
export function compileTemplate(source: string, captures: readonly string[]): CompiledTemplate {
  const parts: Part[] = [];
  const re = /\{([^{}]*)\}|([^{}]+)|([{}])/g;
  for (const m of source.matchAll(re)) {
    const [, placeholder, text, stray] = m;
    if (stray !== undefined) throw new TemplateSyntaxError(`unbalanced "${stray}" in "${source}"`);
    if (text !== undefined) {
      parts.push(() => ({ ok: true, value: text }));
      continue;
    }
    parts.push(compilePlaceholder(placeholder ?? '', captures));
  }
  return {
    source,
    literal: parts.length <= 1 && !source.includes('{'),
    render(ctx) {
      let value = '';
      for (const part of parts) {
        const r = part(ctx);
        if (!r.ok) return r;
        value += r.value;
      }
      return { ok: true, value };
    },
  };
}

function compilePlaceholder(body: string, captures: readonly string[]): Part {
  if (captures.includes(body)) {
    return (ctx) => ({ ok: true, value: ctx.captures[body] ?? '' });
  }
  switch (body) {
    case 'bucket':
      return (ctx) => ({ ok: true, value: ctx.bucket });
    case 'basename':
      return (ctx) => ({ ok: true, value: basenameOf(ctx.name) });
    case 'route':
      return (ctx) => ({ ok: true, value: ctx.route });
    case 'generation':
      return (ctx) => ({ ok: true, value: ctx.generation });
  }
  if (body.startsWith('created:')) return compileCreated(body.slice('created:'.length));
  const known = [...captures, ...BUILT_INS];
  const near = known.find((k) => editDistanceAtMost2(body, k));
  throw new TemplateSyntaxError(
    `unknown placeholder "{${body}}"${near ? ` (did you mean {${near}}?)` : ''}; available: ${known.map((k) => `{${k}}`).join(', ')}, {created:FORMAT} (the route's match captures and the built-ins)`,
  );
}

/** A typo's distance (`{regoin}` for `{region}`): at most two edits, adjacent swaps counting one. */
function editDistanceAtMost2(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (previous2[j - 2] ?? 0) + 1);
      }
      row.push(d);
    }
    previous2 = previous;
    previous = row;
  }
  return (previous[b.length] ?? 3) <= 2;
}

const TOKENS = /yyyy|MM|dd|HH/g;

function compileCreated(format: string): Part {
  if (format === '' || /[A-Za-z.$/]/.test(format.replace(TOKENS, ''))) {
    throw new TemplateSyntaxError(
      `"{created:${format}}": the format may only use yyyy, MM, dd, HH and separators like _ or -`,
    );
  }
  return (ctx) => {
    const time = ctx.timeCreated ? new Date(ctx.timeCreated) : undefined;
    if (!time || Number.isNaN(time.getTime())) {
      return { ok: false, reason: '{created:…} needs the object timeCreated, which is unknown' };
    }
    const pad = (n: number) => String(n).padStart(2, '0');
    const values: Record<string, string> = {
      yyyy: String(time.getUTCFullYear()),
      MM: pad(time.getUTCMonth() + 1),
      dd: pad(time.getUTCDate()),
      HH: pad(time.getUTCHours()),
    };
    return { ok: true, value: format.replace(TOKENS, (t) => values[t] ?? t) };
  };
}
