/**
 * Replaces `schema: "file.json"` by the fields in that file. Reading is injected
 * (`readText`), so this stays pure; relative paths resolve against the rules file's folder
 * or gs:// prefix with plain string logic.
 */
import { posix } from 'node:path';
import * as z from 'zod';
import { gsUri, isGsUri, parseGsPrefix } from '../core/gs-uri';
import { ConfigError, type ConfigIssue } from './errors';
import { FieldSchema } from './load-fields';
import { toIssues } from './parse';
import type { Config, Route } from './schema';

export type TableSchema = { fields: z.infer<typeof FieldSchema>[] };
export type ResolvedRoute = Omit<Route, 'schema'> & { schema?: 'autodetect' | TableSchema };
export type ResolvedConfig = Omit<Config, 'routes'> & { routes: ResolvedRoute[] };

/** A BigQuery JSON schema file: the array `bq show --schema` prints, or `{fields: [...]}`. */
const SchemaFile = z.union([
  z.array(FieldSchema).min(1),
  z.strictObject({ fields: z.array(FieldSchema).min(1) }),
]);

export async function resolveSchemaFiles(
  config: Config,
  configLocation: string,
  readText: (pathOrGsUri: string) => Promise<string>,
): Promise<ResolvedConfig> {
  const issues: ConfigIssue[] = [];
  const routes = await Promise.all(
    config.routes.map(async (route, index): Promise<ResolvedRoute> => {
      const { schema } = route;
      if (schema === undefined || schema === 'autodetect' || typeof schema !== 'string') {
        return { ...route, schema };
      }
      const path = `routes[${index}].schema`;
      const where = resolveAgainst(configLocation, schema);
      let text: string;
      try {
        text = await readText(where);
      } catch (cause) {
        issues.push({ path, message: `cannot read schema file ${where}: ${messageOf(cause)}` });
        return { ...route, schema: undefined };
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        issues.push({ path, message: `schema file ${where} is not JSON: ${messageOf(cause)}` });
        return { ...route, schema: undefined };
      }
      const parsed = SchemaFile.safeParse(json);
      if (!parsed.success) {
        for (const issue of toIssues(parsed.error)) {
          const at = issue.path ? ` at ${issue.path}` : '';
          issues.push({ path, message: `schema file ${where}${at}: ${issue.message}` });
        }
        return { ...route, schema: undefined };
      }
      const fields = Array.isArray(parsed.data) ? parsed.data : parsed.data.fields;
      return { ...route, schema: { fields } };
    }),
  );
  if (issues.length > 0) throw ConfigError.fromIssues(configLocation, issues);
  return { ...config, routes };
}

/** `schemas/a.json` next to `gs://b/conf/rules.yaml` → `gs://b/conf/schemas/a.json`. */
export function resolveAgainst(configLocation: string, path: string): string {
  if (isGsUri(path) || posix.isAbsolute(path)) return path;
  const gs = parseGsPrefix(configLocation);
  if (gs) {
    const joined = posix.normalize(posix.join('/', posix.dirname(`/${gs.prefix}`), path));
    return gsUri({ bucket: gs.bucket, name: joined.slice(1) });
  }
  return posix.join(posix.dirname(configLocation), path);
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
