/**
 * Just enough of GoogleSQL's lexical structure to check a route's `transform` without
 * executing it: what is code, as opposed to string literals ('…', "…", '''…''', r'…', b'…'),
 * quoted identifiers (`…`) and comments (--, #, /* … *\/). Pure. Not a parser: BigQuery
 * still judges the SQL when the query job runs; this catches the mistakes a rules file can
 * be refused for at start (no `{staging}`, not a SELECT, several statements).
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical
 */

export type SqlPiece =
  | { kind: 'code'; text: string }
  | { kind: 'string' | 'identifier' | 'comment'; text: string };

/** Splits `sql` into code and the pieces code must not be searched in; throws on an unclosed one. */
export function scanSql(sql: string): SqlPiece[] {
  const pieces: SqlPiece[] = [];
  let code = '';
  let i = 0;
  const flush = () => {
    if (code) pieces.push({ kind: 'code', text: code });
    code = '';
  };
  while (i < sql.length) {
    const end = quotedEnd(sql, i);
    if (end === undefined) {
      code += sql[i];
      i += 1;
      continue;
    }
    flush();
    const c = sql[i] as string;
    const kind =
      c === '`' ? 'identifier' : c === '-' || c === '#' || c === '/' ? 'comment' : 'string';
    pieces.push({ kind, text: sql.slice(i, end) });
    i = end;
  }
  flush();
  return pieces;
}

/** Where the quoted piece (or comment) starting at `i` ends, or undefined if none starts there. */
function quotedEnd(sql: string, i: number): number | undefined {
  const c = sql[i];
  const next = sql[i + 1];
  if (c === '-' && next === '-') return lineEnd(sql, i);
  if (c === '#') return lineEnd(sql, i);
  if (c === '/' && next === '*') {
    const close = sql.indexOf('*/', i + 2);
    if (close < 0) throw new Error('a /* comment is never closed');
    return close + 2;
  }
  // A prefix (r, b, rb, br) before a quote belongs to the literal.
  const prefix = /^(?:[rRbB]|[rR][bB]|[bB][rR])(?=['"])/.exec(sql.slice(i, i + 3));
  const startsWord = i === 0 || !/[A-Za-z0-9_]/.test(sql[i - 1] as string);
  const quoteAt = prefix && startsWord ? i + prefix[0].length : i;
  const q = sql[quoteAt];
  if (q !== "'" && q !== '"' && q !== '`') return undefined;
  const raw = prefix !== null && startsWord && /[rR]/.test(prefix[0]);
  const triple = q !== '`' && sql.startsWith(q.repeat(3), quoteAt);
  const closer = triple ? q.repeat(3) : q;
  let j = quoteAt + closer.length;
  while (j < sql.length) {
    if (!raw && sql[j] === '\\') {
      j += 2;
      continue;
    }
    if (sql.startsWith(closer, j)) return j + closer.length;
    j += 1;
  }
  throw new Error(`a ${q === '`' ? 'quoted identifier' : 'string'} is never closed`);
}

function lineEnd(sql: string, i: number): number {
  const newline = sql.indexOf('\n', i);
  return newline < 0 ? sql.length : newline;
}

/** The code of `sql` with every string, quoted identifier and comment replaced by a space. */
export function codeOf(pieces: readonly SqlPiece[]): string {
  return pieces.map((p) => (p.kind === 'code' ? p.text : ' ')).join('');
}
