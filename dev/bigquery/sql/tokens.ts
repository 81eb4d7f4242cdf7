/**
 * GoogleSQL lexical structure, enough to translate the subset the local server runs: string
 * literals ('…', "…", '''…''', r'…', with backslash escapes), backtick identifiers, comments
 * (--, #, /* … *\/), numbers, words and punctuation. The translator works on these tokens
 * only, so nothing inside a string can ever be mistaken for SQL.
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical
 */
import { invalidQuery, refusedConstruct } from '../errors';

export type Token =
  | { kind: 'word'; text: string }
  /** A backtick identifier; `text` is its unescaped content (may contain dots). */
  | { kind: 'quoted'; text: string }
  /** A string literal; `text` is its value. */
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'punct'; text: string };

/** A parenthesised group, so that calls and subqueries are one node each. */
export interface Group {
  kind: 'group';
  children: Node[];
}

export type Node = Token | Group;

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\x07',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
  '?': '?',
};

const OPERATORS = ['<=', '>=', '<>', '!=', '||', '<<', '>>'];
const SINGLE = new Set([
  '(',
  ')',
  ',',
  '.',
  ';',
  '+',
  '-',
  '*',
  '/',
  '=',
  '<',
  '>',
  '&',
  '|',
  '^',
  '~',
]);

/** Unescapes a quoted body (GoogleSQL escapes: \n, \t, \xHH, \uXXXX, \UXXXXXXXX, octal…). */
function unescapeQuoted(body: string): string {
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|[\s\S])/g,
    (_all, code: string) => {
      if (/^[xuU]/.test(code) && code.length > 1) {
        return String.fromCodePoint(Number.parseInt(code.slice(1), 16));
      }
      if (/^[0-7]{3}$/.test(code)) return String.fromCodePoint(Number.parseInt(code, 8));
      const simple = SIMPLE_ESCAPES[code];
      if (simple === undefined) throw invalidQuery(`Illegal escape sequence: \\${code}`);
      return simple;
    },
  );
}

/** The end (exclusive) of a quoted body starting at `from`, after the opening `quote`. */
function closingQuote(sql: string, from: number, quote: string, raw: boolean): number {
  for (let i = from; i < sql.length; i += 1) {
    if (sql[i] === '\\' && !raw) i += 1;
    else if (sql.startsWith(quote, i)) return i;
    else if (quote.length === 1 && sql[i] === '\n') break;
  }
  throw invalidQuery(`Syntax error: Unclosed ${quote === '`' ? 'identifier' : 'string'} literal`);
}

/** Reads a string literal at `start` (prefix r/R/b/B allowed); answers the token and the end. */
function readString(sql: string, start: number): { token: Token; end: number } {
  let i = start;
  let raw = false;
  while (/[rRbB]/.test(sql[i] ?? '')) {
    if (/[bB]/.test(sql[i] ?? '')) throw refusedConstruct("A bytes literal (b'…')");
    raw = true;
    i += 1;
  }
  const q = sql[i] ?? "'";
  const quote = sql.startsWith(q.repeat(3), i) ? q.repeat(3) : q;
  const bodyStart = i + quote.length;
  const bodyEnd = closingQuote(sql, bodyStart, quote, raw);
  const body = sql.slice(bodyStart, bodyEnd);
  return {
    token: { kind: 'string', text: raw ? body : unescapeQuoted(body) },
    end: bodyEnd + quote.length,
  };
}

function skipComment(sql: string, i: number): number {
  if (sql.startsWith('--', i) || sql[i] === '#') {
    const end = sql.indexOf('\n', i);
    return end < 0 ? sql.length : end + 1;
  }
  if (sql.startsWith('/*', i)) {
    const end = sql.indexOf('*/', i + 2);
    if (end < 0) throw invalidQuery('Syntax error: Unclosed comment');
    return end + 2;
  }
  return i;
}

function readToken(sql: string, i: number): { token: Token; end: number } {
  const rest = sql.slice(i);
  if (/^[rRbB]{1,2}['"]/.test(rest) || rest[0] === "'" || rest[0] === '"') {
    return readString(sql, i);
  }
  if (rest[0] === '`') {
    const end = closingQuote(sql, i + 1, '`', false);
    const text = unescapeQuoted(sql.slice(i + 1, end));
    if (text === '') throw invalidQuery('Syntax error: An empty identifier (``)');
    return { token: { kind: 'quoted', text }, end: end + 1 };
  }
  const number = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(rest);
  if (number) return { token: { kind: 'number', text: number[0] }, end: i + number[0].length };
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  if (word) return { token: { kind: 'word', text: word[0] }, end: i + word[0].length };
  const operator = OPERATORS.find((op) => rest.startsWith(op));
  if (operator) return { token: { kind: 'punct', text: operator }, end: i + operator.length };
  const char = rest[0] ?? '';
  if (SINGLE.has(char)) return { token: { kind: 'punct', text: char }, end: i + 1 };
  if (char === '@') throw refusedConstruct('A query parameter or system variable (@…)');
  if (char === '?') throw refusedConstruct('A positional query parameter (?)');
  if (char === '[' || char === ']') throw refusedConstruct('ARRAY literals and subscripts ([…])');
  throw refusedConstruct(`The character ${JSON.stringify(char)}`);
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    if (/\s/.test(sql[i] ?? '')) {
      i += 1;
      continue;
    }
    const afterComment = skipComment(sql, i);
    if (afterComment !== i) {
      i = afterComment;
      continue;
    }
    const { token, end } = readToken(sql, i);
    tokens.push(token);
    i = end;
  }
  return tokens;
}

/** Nests the tokens by parentheses; unbalanced parentheses are a syntax error. */
export function group(tokens: Token[]): Node[] {
  const stack: Node[][] = [[]];
  for (const token of tokens) {
    const top = stack[stack.length - 1] as Node[];
    if (token.kind === 'punct' && token.text === '(') {
      const opened: Group = { kind: 'group', children: [] };
      top.push(opened);
      stack.push(opened.children);
    } else if (token.kind === 'punct' && token.text === ')') {
      if (stack.length === 1) throw invalidQuery('Syntax error: Unexpected ")"');
      stack.pop();
    } else top.push(token);
  }
  if (stack.length !== 1) throw invalidQuery('Syntax error: Expected ")" but got end of query');
  return stack[0] as Node[];
}

export function isWord(node: Node | undefined, ...words: string[]): boolean {
  return node?.kind === 'word' && words.includes(node.text.toUpperCase());
}

export function isPunct(node: Node | undefined, text: string): boolean {
  return node?.kind === 'punct' && node.text === text;
}

/** Splits a group's children at its top-level commas (a call's arguments). */
export function splitArgs(nodes: Node[]): Node[][] {
  if (nodes.length === 0) return [];
  const args: Node[][] = [[]];
  for (const node of nodes) {
    if (isPunct(node, ',')) args.push([]);
    else args[args.length - 1]?.push(node);
  }
  return args;
}
