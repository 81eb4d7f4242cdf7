/**
 * The one glob compiler: route patterns, bucket globs, allowlists, content types.
 *
 * Two syntaxes share one compiled form. Plain globs (`compileGlob`): `*` matches any run of
 * characters except an optional stop character; everything else is literal. Object-name
 * patterns (`compileNamePattern`): `*` within one path segment, `**` across segments (`**` + `/`
 * may match zero folders, so `a/**` + `/b` also matches `a/b`), `{name}` captures one
 * non-empty segment part.
 *
 * Matching runs a small Pike VM (a Thompson NFA that tracks captures) instead of a
 * backtracking RegExp: time is linear in the text for a given pattern, so a name such as
 * `aaaa…` against `*a*a*a*a*.csv` cannot stall the function. Threads are kept in priority
 * order, so captures are exactly what the equivalent greedy RegExp would give
 * (`{a}_{b}` on `x_y_z` → a = `x_y`).
 */
import { Op, type Program, run } from './glob-vm';

export interface GlobMatcher {
  /** The glob as written. */
  source: string;
  /** Capture names ({name}) in order of appearance; empty for plain globs. */
  captures: string[];
  test(text: string): boolean;
  /** The captures of a match (an empty object when there are none), or null. */
  exec(text: string): Record<string, string> | null;
}

/** A pattern the compiler refuses; the caller adds where it was written. */
export class GlobSyntaxError extends Error {
  override readonly name = 'GlobSyntaxError';
}

export interface GlobOptions {
  /** A character `*` never matches: `/` for topic names, `.` for table names. */
  stopAt?: string;
  /** Case-insensitive (content types). */
  ignoreCase?: boolean;
}

/** `*` matches any run of characters but `stopAt`; everything else is literal. */
export function compileGlob(glob: string, options: GlobOptions = {}): GlobMatcher {
  const text = options.ignoreCase ? glob.toLowerCase() : glob;
  const program = new ProgramBuilder();
  const notStop = options.stopAt === undefined ? undefined : options.stopAt.charCodeAt(0);
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] !== '*') program.literal(text.charCodeAt(i));
    // A run of stars is one star: same language, shorter program.
    else if (text[i - 1] !== '*') program.star(notStop);
  }
  return matcher(glob, program.finish(0), [], options.ignoreCase === true);
}

const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SLASH = '/'.charCodeAt(0);

/** An object-name pattern: `*`, `**`, `**` + `/`, `{name}`; everything else is literal. */
export function compileNamePattern(pattern: string): GlobMatcher {
  const program = new ProgramBuilder();
  const captures: string[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      const folders = pattern[i + 2] === '/';
      if (folders) program.anyFolders();
      else program.star(undefined);
      i += folders ? 3 : 2;
    } else if (ch === '*') {
      program.star(SLASH);
      i += 1;
    } else if (ch === '{') {
      const end = captureEnd(pattern, i, captures);
      program.capture(captures.length, SLASH);
      captures.push(pattern.slice(i + 1, end));
      i = end + 1;
    } else if (ch === '}') {
      throw new GlobSyntaxError(`unmatched "}" at position ${i} of "${pattern}"`);
    } else {
      program.literal(pattern.charCodeAt(i));
      i += 1;
    }
  }
  return matcher(pattern, program.finish(captures.length), captures, false);
}

/** Index of the `}` closing the capture opened at `open`, after checking its name. */
function captureEnd(pattern: string, open: number, seen: readonly string[]): number {
  const end = pattern.indexOf('}', open);
  if (end < 0) throw new GlobSyntaxError(`unclosed "{" at position ${open} of "${pattern}"`);
  const name = pattern.slice(open + 1, end);
  if (!CAPTURE_NAME.test(name)) {
    throw new GlobSyntaxError(`"{${name}}" is not a capture name (letters, digits, _)`);
  }
  if (seen.includes(name)) throw new GlobSyntaxError(`capture "{${name}}" appears twice`);
  return end;
}

function matcher(
  source: string,
  program: Program,
  captures: string[],
  ignoreCase: boolean,
): GlobMatcher {
  const input = ignoreCase ? (text: string) => text.toLowerCase() : (text: string) => text;
  return {
    source,
    captures,
    test: (text) => run(program, input(text)) !== null,
    exec(text) {
      const slots = run(program, input(text));
      if (slots === null) return null;
      const out: Record<string, string> = {};
      captures.forEach((name, k) => {
        out[name] = text.slice(slots[2 * k], slots[2 * k + 1]);
      });
      return out;
    },
  };
}

/** Emits VM instructions; each wildcard is a loop around one character test. */
class ProgramBuilder {
  private readonly ops: number[] = [];
  private readonly args: number[] = [];
  private readonly alts: number[] = [];

  private emit(op: Op, arg = 0, alt = 0): number {
    this.ops.push(op);
    this.args.push(arg);
    this.alts.push(alt);
    return this.ops.length - 1;
  }

  literal(code: number): void {
    this.emit(Op.Char, code);
  }

  /** Greedy `[^stop]*` (or `.*` without a stop character). */
  star(stop: number | undefined): void {
    const split = this.emit(Op.Split);
    this.one(stop);
    this.emit(Op.Jump, split);
    this.patch(split, split + 1, this.ops.length);
  }

  /** Greedy `(?:.*\/)?`: any number of whole folders, zero included. */
  anyFolders(): void {
    const split = this.emit(Op.Split);
    this.star(undefined);
    this.literal(SLASH);
    this.patch(split, split + 1, this.ops.length);
  }

  /** `([^stop]+)` saved into capture number `k`. */
  capture(k: number, stop: number): void {
    this.emit(Op.Save, 2 * k);
    this.one(stop);
    this.star(stop);
    this.emit(Op.Save, 2 * k + 1);
  }

  finish(captureCount: number): Program {
    this.emit(Op.Match);
    return {
      ops: Int32Array.from(this.ops),
      args: Int32Array.from(this.args),
      alts: Int32Array.from(this.alts),
      slots: 2 * captureCount,
    };
  }

  private one(stop: number | undefined): void {
    if (stop === undefined) this.emit(Op.Any);
    else this.emit(Op.Not, stop);
  }

  private patch(split: number, preferred: number, other: number): void {
    this.args[split] = preferred;
    this.alts[split] = other;
  }
}
