/**
 * One GoogleSQL statement → one DuckDB statement: which kind it is (SELECT, INSERT, MERGE,
 * UPDATE, DELETE; anything else refused by name), the GoogleSQL shorthands DuckDB lacks
 * (`INSERT t`, `DELETE t`, `MERGE t` without INTO / FROM), and what the job needs to check
 * GoogleSQL rules DuckDB does not enforce (INSERT column types, one source row per MERGE
 * target row).
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/dml-syntax
 */
import { invalidQuery, refusedConstruct } from '../errors';
import { ident } from '../warehouse';
import { DDL_WORDS, SCRIPT_WORDS } from './keywords';
import { group, isPunct, isWord, type Node, tokenize } from './tokens';
import { readPath, type TableRef, Translator } from './translate';

export type StatementType = 'SELECT' | 'INSERT' | 'MERGE' | 'UPDATE' | 'DELETE';

export interface TranslatedStatement {
  statementType: StatementType;
  /** DuckDB SQL; a MERGE answers one `merge_action` row per row it changed. */
  sql: string;
  /** Every table the statement names (to answer notFound before running it). */
  tables: TableRef[];
  /** The table a DML statement changes. */
  target?: TableRef;
  /** INSERT … SELECT: the columns written (undefined = all) and the SELECT alone. */
  insert?: { columns?: string[]; source: string };
  /** MERGE with WHEN MATCHED: answers a row when a target row matches several source rows. */
  ambiguousMerge?: string;
}

function statementType(nodes: Node[]): StatementType {
  const [first, second] = nodes;
  if (first?.kind === 'group') return 'SELECT';
  if (first?.kind !== 'word') throw invalidQuery('Syntax error: Expected a statement');
  const upper = first.text.toUpperCase();
  if (upper === 'SELECT' || upper === 'WITH') return 'SELECT';
  if (upper === 'INSERT' || upper === 'MERGE' || upper === 'UPDATE' || upper === 'DELETE') {
    return upper;
  }
  const what = second?.kind === 'word' ? `${upper} ${second.text.toUpperCase()}` : upper;
  if (DDL_WORDS.has(upper)) throw refusedConstruct(`A DDL statement (${what})`);
  if (SCRIPT_WORDS.has(upper)) throw refusedConstruct(`Scripting (${upper})`);
  throw refusedConstruct(`The statement ${upper}`);
}

/** The statement's kind, for checks at jobs.insert; undefined when it cannot even be read. */
export function classifyStatement(sql: string): StatementType | undefined {
  try {
    return statementType(group(tokenize(sql)));
  } catch {
    return undefined;
  }
}

/** The statement's nodes, without trailing semicolons; several statements are refused. */
function oneStatement(sql: string): Node[] {
  const nodes = group(tokenize(sql));
  while (isPunct(nodes[nodes.length - 1], ';')) nodes.pop();
  statementType(nodes);
  if (nodes.some((node) => isPunct(node, ';'))) {
    throw refusedConstruct('Several statements (a script)');
  }
  return nodes;
}

/** Reads `[AS] alias` at `i` (not one of `stop`); answers the alias and the next index. */
function alias(nodes: Node[], i: number, stop: string): { name?: string; next: number } {
  const at = isWord(nodes[i], 'AS') ? i + 1 : i;
  const node = nodes[at];
  if ((node?.kind === 'word' || node?.kind === 'quoted') && !isWord(node, stop)) {
    return { name: node.text, next: at + 1 };
  }
  return { next: at };
}

/** The target of a DML statement: the path after its second word (INTO / FROM) or first. */
function dmlTarget(t: Translator, nodes: Node[], start: number): { sql: string; end: number } {
  const first = nodes[start];
  if (first?.kind !== 'word' && first?.kind !== 'quoted') {
    throw invalidQuery('Syntax error: Expected a table name');
  }
  const { end } = readPath(nodes, start);
  const before = t.tables.length;
  const sql = t.nodes(nodes.slice(0, end));
  if (t.tables.length === before) {
    throw invalidQuery(
      `Table name "${first.text}" missing dataset while no default dataset is set in the request.`,
    );
  }
  return { sql, end };
}

function translateInsert(t: Translator, nodes: Node[]): Omit<TranslatedStatement, 'tables'> {
  const target = dmlTarget(t, nodes, 2);
  let rest = nodes.slice(target.end);
  let columns: string[] | undefined;
  let columnList = '';
  const [first] = rest;
  if (first?.kind === 'group' && !isWord(first.children[0], 'SELECT', 'WITH')) {
    columns = first.children.flatMap((n) =>
      n.kind === 'word' || n.kind === 'quoted' ? [n.text] : [],
    );
    columnList = t.nodes([first]);
    rest = rest.slice(1);
  }
  const source = t.nodes(rest);
  const query = rest[0]?.kind === 'group' || isWord(rest[0], 'SELECT', 'WITH');
  return {
    statementType: 'INSERT',
    sql: `${target.sql} ${columnList} ${source}`,
    target: t.tables[0],
    ...(query ? { insert: { ...(columns ? { columns } : {}), source } } : {}),
  };
}

/**
 * GoogleSQL fails a MERGE when a target row matches more than one source row (and a WHEN
 * MATCHED clause could act on it); DuckDB would apply each match in turn.
 */
function ambiguousMerge(now: Date, nodes: Node[]): string | undefined {
  const matched = nodes.some((n, k) => isWord(n, 'MATCHED') && !isWord(nodes[k - 1], 'NOT'));
  if (!matched) return undefined;
  const t = new Translator(now);
  const { end } = readPath(nodes, 2);
  const target = alias(nodes, end, 'USING');
  if (!isWord(nodes[target.next], 'USING')) throw invalidQuery('Syntax error: Expected USING');
  const sourceStart = target.next + 1;
  const sourceEnd =
    nodes[sourceStart]?.kind === 'group' ? sourceStart + 1 : readPath(nodes, sourceStart).end;
  const source = alias(nodes, sourceEnd, 'ON');
  if (!isWord(nodes[source.next], 'ON')) throw invalidQuery('Syntax error: Expected ON');
  const when = nodes.findIndex((n, k) => k > source.next && isWord(n, 'WHEN'));
  const targetPath = readPath(nodes, 2).parts;
  const targetName = target.name ?? targetPath[targetPath.length - 1]?.text.split('.').pop() ?? '';
  const sourceSql = t.nodes(nodes.slice(sourceStart, sourceEnd));
  const sourceName = source.name ?? (nodes[sourceStart]?.kind === 'group' ? '_source' : undefined);
  return [
    `SELECT 1 ${t.nodes([{ kind: 'word', text: 'FROM' }, ...nodes.slice(2, end)])} AS ${ident(targetName)}`,
    `JOIN ${sourceSql}${sourceName ? ` AS ${ident(sourceName)}` : ''}`,
    `ON ${t.nodes(nodes.slice(source.next + 1, when < 0 ? nodes.length : when))}`,
    `GROUP BY ${ident(targetName)}.rowid HAVING count(*) > 1 LIMIT 1`,
  ].join(' ');
}

/** Translates exactly one statement; `now` is the value of CURRENT_TIMESTAMP. */
export function translateStatement(sql: string, now: Date): TranslatedStatement {
  const nodes = oneStatement(sql);
  const type = statementType(nodes);
  const t = new Translator(now);
  // GoogleSQL lets INSERT, DELETE and MERGE omit INTO / FROM; DuckDB does not.
  const implied = { INSERT: 'INTO', DELETE: 'FROM', MERGE: 'INTO' } as Record<string, string>;
  const word = implied[type];
  if (word && !isWord(nodes[1], word)) nodes.splice(1, 0, { kind: 'word', text: word });
  if ((type === 'UPDATE' || type === 'DELETE') && !nodes.some((n) => isWord(n, 'WHERE'))) {
    throw invalidQuery(`${type} must have a WHERE clause`);
  }
  let statement: Omit<TranslatedStatement, 'tables'>;
  if (type === 'INSERT') statement = translateInsert(t, nodes);
  else if (type === 'SELECT') statement = { statementType: type, sql: t.nodes(nodes) };
  else {
    const target = dmlTarget(t, nodes, type === 'UPDATE' ? 1 : 2);
    statement = {
      statementType: type,
      sql: `${target.sql} ${t.nodes(nodes.slice(target.end))}`,
      target: t.tables[0],
    };
    if (type === 'MERGE') {
      statement.sql += ' RETURNING merge_action';
      const check = ambiguousMerge(now, nodes);
      if (check) statement.ambiguousMerge = check;
    }
  }
  return { ...statement, tables: t.tables };
}
