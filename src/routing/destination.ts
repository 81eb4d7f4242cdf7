/**
 * `[project.]dataset.table[$decorator]` templates. The structure is taken from the template
 * text, before rendering, so a capture holding a `.` can never shift a table name into the
 * dataset slot: it lands in one part and fails that part's identifier check instead.
 */
import type { TableReference } from '../types';
import { identifierProblem } from './identifiers';
import {
  type CompiledTemplate,
  compileTemplate,
  type TemplateContext,
  TemplateSyntaxError,
} from './template';

export interface DestinationParts {
  project?: string;
  dataset: string;
  table: string;
  decorator?: string;
}

export interface CompiledDestination {
  source: string;
  render(
    ctx: TemplateContext,
  ): { ok: true; parts: DestinationParts } | { ok: false; reason: string };
}

type Slot = keyof DestinationParts;

export function compileDestination(
  source: string,
  captures: readonly string[],
): CompiledDestination {
  const dollar = source.indexOf('$');
  const path = dollar < 0 ? source : source.slice(0, dollar);
  const decoratorText = dollar < 0 ? undefined : source.slice(dollar + 1);
  const pieces = path.split('.');
  if (pieces.length < 2) {
    throw new TemplateSyntaxError(`expected [project.]dataset.table[$decorator], got "${source}"`);
  }
  const table = pieces.pop() ?? '';
  const dataset = pieces.pop() ?? '';
  // Domain-scoped project ids (`example.com:proj`) hold dots themselves.
  const project = pieces.length > 0 ? pieces.join('.') : undefined;
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
  add('project', project);
  add('dataset', dataset);
  add('table', table);
  add('decorator', decoratorText);
  return {
    source,
    render(ctx) {
      const parts: Partial<DestinationParts> = {};
      for (const [slot, template] of slots) {
        const r = template.render(ctx);
        if (!r.ok) return r;
        parts[slot] = r.value;
      }
      return { ok: true, parts: parts as DestinationParts };
    },
  };
}

/** The first identifier problem of a rendered destination, naming the offending value. */
export function destinationProblem(
  parts: DestinationParts & { project: string },
): string | undefined {
  return (
    identifierProblem('project', parts.project) ??
    identifierProblem('dataset', parts.dataset) ??
    identifierProblem('table', parts.table) ??
    (parts.decorator === undefined ? undefined : identifierProblem('decorator', parts.decorator))
  );
}

export function toTableReference(parts: DestinationParts & { project: string }): TableReference {
  return {
    projectId: parts.project,
    datasetId: parts.dataset,
    tableId: parts.decorator === undefined ? parts.table : `${parts.table}$${parts.decorator}`,
  };
}

/**
 * Applies the destination overrides a route allows (`bq-project`, `bq-dataset`, `bq-table`,
 * `bq-partition`; from object metadata or message attributes) to rendered parts. The result
 * is checked like any rendered destination: identifiers, then allowlists.
 */
export function withDestinationOverrides<P extends DestinationParts & { project: string }>(
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
