/**
 * `[project.]dataset.table[$decorator]` templates. The structure is taken from the template
 * text, before rendering, so a capture holding a `.` can never shift a table name into the
 * dataset slot: it lands in one part and fails that part's identifier check instead.
 */
import { parseTableName, type TableName } from '../core/table-ref';
import { identifierProblem } from './identifiers';
import {
  type CompiledTemplate,
  compileTemplate,
  type TemplateContext,
  TemplateSyntaxError,
} from './template';

export interface CompiledDestination {
  source: string;
  render(ctx: TemplateContext): { ok: true; parts: TableName } | { ok: false; reason: string };
}

type Slot = keyof TableName;

export function compileDestination(
  source: string,
  captures: readonly string[],
): CompiledDestination {
  const name = parseTableName(source);
  if (!name) {
    throw new TemplateSyntaxError(`expected [project.]dataset.table[$decorator], got "${source}"`);
  }
  const slots: [Slot, CompiledTemplate][] = [];
  const add = (slot: Slot, text: string | undefined) => {
    if (text === undefined) return;
    const template = compileTemplate(text, captures);
    if (template.literal) {
      const problem = identifierProblem(slot === 'decorator' ? 'decorator' : slot, text);
      if (problem) throw new TemplateSyntaxError(problem);
    }
    slots.push([slot, template]);
  };
  add('project', name.project);
  add('dataset', name.dataset);
  add('table', name.table);
  add('decorator', name.decorator);
  return {
    source,
    render(ctx) {
      const parts: Partial<TableName> = {};
      for (const [slot, template] of slots) {
        const r = template.render(ctx);
        if (!r.ok) return r;
        parts[slot] = r.value;
      }
      return { ok: true, parts: parts as TableName };
    },
  };
}

/** The first identifier problem of a rendered destination, naming the offending value. */
export function destinationProblem(parts: TableName & { project: string }): string | undefined {
  return (
    identifierProblem('project', parts.project) ??
    identifierProblem('dataset', parts.dataset) ??
    identifierProblem('table', parts.table) ??
    (parts.decorator === undefined ? undefined : identifierProblem('decorator', parts.decorator))
  );
}

/**
 * Applies the destination overrides a route allows (`bq-project`, `bq-dataset`, `bq-table`,
 * `bq-partition`; from object metadata or message attributes) to rendered parts. The result
 * is checked like any rendered destination: identifiers, then allowlists.
 */
export function withDestinationOverrides<P extends TableName & { project: string }>(
  parts: P,
  overrides: ReadonlyMap<string, string>,
): P {
  return {
    ...parts,
    project: overrides.get('bq-project') ?? parts.project,
    dataset: overrides.get('bq-dataset') ?? parts.dataset,
    table: overrides.get('bq-table') ?? parts.table,
    decorator: overrides.get('bq-partition') ?? parts.decorator,
  };
}
