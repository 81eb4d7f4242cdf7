/**
 * Translates GoogleSQL node lists (tokens.ts) to DuckDB SQL: table paths become
 * `"dataset"."table"` (all projects share one warehouse), identifiers are quoted, literals
 * re-quoted the DuckDB way, calls rewritten (functions.ts). Whatever is outside the subset is
 * refused by name.
 */
import { invalidQuery, refusedConstruct } from '../errors';
import { ident, literal } from '../warehouse';
import { currentTimestamp, duckType, type ExpressionTranslator, translateCall } from './functions';
import {
  ALLOWED_KEYWORDS,
  FROM_CLAUSE_ENDS,
  KEYWORDS_BEFORE_GROUP,
  REFUSED_KEYWORDS,
  TABLE_KEYWORDS,
} from './keywords';
import { isPunct, isWord, type Node, type Token } from './tokens';

/** A table named in the query; `projectId` only when the path names one. */
export interface TableRef {
  projectId?: string;
  datasetId: string;
  tableId: string;
}

type NamePart = Extract<Token, { kind: 'word' | 'quoted' }>;

/** Typed literals (`TIMESTAMP '…'`) the translator turns into casts. */
const TYPED_LITERALS = new Set(['DATE', 'DATETIME', 'TIMESTAMP', 'TIME', 'JSON', 'NUMERIC']);

/** Reads `a.b.c` (words and backtick names joined by dots) starting at `start`. */
export function readPath(nodes: Node[], start: number): { parts: NamePart[]; end: number } {
  const parts: NamePart[] = [nodes[start] as NamePart];
  let end = start + 1;
  while (isPunct(nodes[end], '.')) {
    const next = nodes[end + 1];
    if (next?.kind !== 'word' && next?.kind !== 'quoted') break;
    parts.push(next);
    end += 2;
  }
  return { parts, end };
}

function numberLiteral(text: string): string {
  if (/^0[xX]/.test(text)) return BigInt(text).toString();
  // GoogleSQL reads 1.5 as FLOAT64; DuckDB would read a DECIMAL(2,1).
  return /[.eE]/.test(text) ? `CAST(${text} AS DOUBLE)` : text;
}

export class Translator implements ExpressionTranslator {
  /** Every table path the statement names (CTE names, being one part, are not tables). */
  readonly tables: TableRef[] = [];

  constructor(readonly now: Date) {}

  expression(nodes: Node[]): string {
    return this.nodes(nodes);
  }

  /** Translates one list of sibling nodes (a statement, or the inside of parentheses). */
  nodes(nodes: Node[]): string {
    const out: string[] = [];
    let inFrom = false;
    let i = 0;
    while (i < nodes.length) {
      const node = nodes[i] as Node;
      if (node.kind === 'group') {
        out.push(`(${this.nodes(node.children)})`);
        i += 1;
      } else if (node.kind === 'string') {
        out.push(literal(node.text));
        i += 1;
      } else if (node.kind === 'number') {
        out.push(numberLiteral(node.text));
        i += 1;
      } else if (node.kind === 'punct') {
        out.push(this.punct(node.text, nodes[i + 1]));
        i += 1;
      } else {
        const { sql, end, keyword } = this.name(nodes, i, inFrom);
        if (keyword === 'FROM' || keyword === 'JOIN') inFrom = !isWord(nodes[i - 1], 'DISTINCT');
        else if (keyword && FROM_CLAUSE_ENDS.has(keyword)) inFrom = false;
        out.push(sql);
        i = end;
      }
    }
    return out.join(' ');
  }

  private punct(text: string, next: Node | undefined): string {
    if (text === '*' && isWord(next, 'EXCEPT', 'REPLACE')) {
      throw refusedConstruct(`SELECT * ${(next as NamePart).text.toUpperCase()}(…)`);
    }
    if (text === ';') throw refusedConstruct('Several statements (a script)');
    if (text === '.') throw refusedConstruct('Field access on an expression (x.field)');
    if (['^', '~', '&', '|', '<<', '>>'].includes(text)) {
      throw refusedConstruct(`The bitwise operator ${text}`);
    }
    return text;
  }

  /** A word, a backtick name or a dotted path at `start`: keyword, call, table or column. */
  private name(
    nodes: Node[],
    start: number,
    inFrom: boolean,
  ): { sql: string; end: number; keyword?: string } {
    const { parts, end } = readPath(nodes, start);
    const [first] = parts as [NamePart];
    const next = nodes[end];
    const upper = first.text.toUpperCase();
    if (parts.length === 1 && first.kind === 'word') {
      const word = this.word(upper, nodes, start);
      if (word) return word;
    }
    const previous = nodes[start - 1];
    const afterTableKeyword =
      isWord(previous, ...TABLE_KEYWORDS) && !isWord(nodes[start - 2], 'DISTINCT');
    if (afterTableKeyword || (inFrom && isPunct(previous, ','))) {
      if (next?.kind === 'group' && !isWord(previous, 'INTO', 'INSERT')) {
        throw refusedConstruct('A table-valued function');
      }
      return { sql: this.table(parts), end };
    }
    if (next?.kind === 'group') {
      const name = parts.map((p) => p.text).join('.');
      if (parts.length > 1 && upper === 'SAFE') throw refusedConstruct('The SAFE. prefix');
      if (parts.length > 1 || first.kind === 'quoted')
        throw refusedConstruct(`The function ${name}`);
    }
    if (isPunct(next, '.') && isPunct(nodes[end + 1], '*')) {
      return { sql: `${parts.map((p) => ident(p.text)).join('.')}.*`, end: end + 2 };
    }
    return { sql: parts.map((p) => ident(p.text)).join('.'), end };
  }

  /** A lone unquoted word that is a keyword, a call or CURRENT_TIMESTAMP; else undefined. */
  private word(upper: string, nodes: Node[], start: number) {
    const next = nodes[start + 1];
    if (REFUSED_KEYWORDS.has(upper)) throw refusedConstruct(upper);
    if (next?.kind === 'group' && !KEYWORDS_BEFORE_GROUP.has(upper)) {
      return { sql: translateCall(upper, next.children, this), end: start + 2 };
    }
    if (upper === 'CURRENT_TIMESTAMP') return { sql: currentTimestamp(this.now), end: start + 1 };
    if (/^CURRENT_(DATE|TIME|DATETIME)$/.test(upper)) throw refusedConstruct(upper);
    if (TYPED_LITERALS.has(upper) && next?.kind === 'string') {
      return { sql: `CAST(${literal(next.text)} AS ${duckType(upper)})`, end: start + 2 };
    }
    if (upper === 'ROW' && isWord(nodes[start - 1], 'INSERT')) {
      throw refusedConstruct('MERGE … INSERT ROW');
    }
    if (ALLOWED_KEYWORDS.has(upper)) return { sql: upper, end: start + 1, keyword: upper };
    return undefined;
  }

  /** `p.d.t`, `d.t` (as words or backtick names, split at dots) → `"d"."t"`, recorded. */
  private table(parts: NamePart[]): string {
    const names = parts.flatMap((p) => (p.kind === 'quoted' ? p.text.split('.') : [p.text]));
    if (names.some((n) => n.includes('*'))) throw refusedConstruct('A wildcard table');
    if (names.some((n) => n === '')) throw invalidQuery(`Invalid table name ${names.join('.')}`);
    if (names.length === 1) return ident(names[0] as string);
    if (names.length > 3) throw invalidQuery(`Invalid table name ${names.join('.')}`);
    const [tableId, datasetId, projectId] = names.reverse() as [string, string, string?];
    this.tables.push({ datasetId, tableId, ...(projectId ? { projectId } : {}) });
    return `${ident(datasetId)}.${ident(tableId)}`;
  }
}
