/**
 * Gathers what the status page shows, read-only, through the loader's own clients: objects
 * and their markers (the same objectStatus `bq-autoloader status` prints, so the page and
 * the command never disagree), the error list of each failed job (jobs.get: the file and
 * line BigQuery reported), and row counts from the local BigQuery's tables API.
 */
import type { ListedObject } from '../../src/gcp/storage/listing';
import { loadPlaces, objectStatus } from '../../src/outcomes/status';
import { matchRoute } from '../../src/routing/match';
import type { LocalLoader } from '../local-loader';
import type { JobErrorRow, LoadRow, StatusModel } from './page';

/** The page stays small and quick: the newest loads, and job details for the newest failures. */
const MAX_LOADS = 200;
const MAX_FAILED_DETAILS = 20;
const MAX_ERRORS_PER_JOB = 5;

export async function collectStatus(
  loader: LocalLoader,
  bigqueryUrl: string,
  notices: string[],
): Promise<StatusModel> {
  const problems: string[] = [];
  const note = (what: string) => (error: unknown) => {
    problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  };
  const [loads, tables] = await Promise.all([
    recentLoads(loader).catch(note('listing the buckets failed')),
    tableCounts(bigqueryUrl, loader.projectId).catch(note('reading the tables failed')),
  ]);
  await Promise.all(
    loads
      .filter((l) => l.state === 'failed' && l.jobId)
      .slice(0, MAX_FAILED_DETAILS)
      .map(async (load) => {
        const errors = await jobErrors(loader, String(load.jobId)).catch(
          note(`jobs.get ${load.jobId}`),
        );
        // The marker already shows the job's error result: list what it does not say.
        load.jobErrors = errors.filter((e) => `${e.reason}: ${e.message}` !== load.error);
      }),
  );
  return {
    configPath: loader.configPath,
    routes: loader.rules.routes.map((r) => ({
      name: r.name,
      match: typeof r.config.match === 'string' ? r.config.match : JSON.stringify(r.config.match),
      destination: r.config.destination,
    })),
    loads,
    tables,
    notices: [...problems, ...notices],
    generatedAt: new Date(),
  };
}

/** Objects under every route's bucket and prefix (literal buckets: globs are not listed). */
async function recentLoads(loader: LocalLoader): Promise<LoadRow[]> {
  const { rules, google } = loader;
  const objects: ListedObject[] = [];
  for (const place of loadPlaces(rules.routes).places) {
    for await (const page of google.lister.listObjects(place.bucket, place.prefix)) {
      objects.push(...page);
    }
  }
  const rows: LoadRow[] = [];
  for (const object of objects) {
    const status = objectStatus(object);
    const route = matchRoute(rules, object)?.route.name;
    // Objects no route takes and no load marked are not loads.
    if (!route && status.state === 'none') continue;
    rows.push({ ...status, ...(route ? { route } : {}) });
  }
  rows.sort((a, b) => (b.updated ?? '').localeCompare(a.updated ?? ''));
  return rows.slice(0, MAX_LOADS);
}

async function jobErrors(loader: LocalLoader, jobId: string): Promise<JobErrorRow[]> {
  const location = loader.rules.config.location ?? 'US';
  const job = (await loader.google.bigquery.getJob(loader.projectId, jobId, location)) as {
    status?: { errors?: JobErrorRow[]; errorResult?: JobErrorRow };
  };
  const errors = job?.status?.errors ?? [];
  const listed =
    errors.length > 0 ? errors : job?.status?.errorResult ? [job.status.errorResult] : [];
  return listed.slice(0, MAX_ERRORS_PER_JOB).map(({ reason, message, location: where }) => ({
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof message === 'string' ? { message } : {}),
    ...(typeof where === 'string' ? { location: where } : {}),
  }));
}

/** Row counts from the local BigQuery's datasets and tables REST API (reads only). */
async function tableCounts(bigqueryUrl: string, projectId: string): Promise<StatusModel['tables']> {
  const base = `${bigqueryUrl}/bigquery/v2/projects/${encodeURIComponent(projectId)}/datasets`;
  const datasets = (await getJson(base)) as {
    datasets?: { datasetReference: { datasetId: string } }[];
  };
  const counts: StatusModel['tables'] = [];
  for (const { datasetReference } of datasets.datasets ?? []) {
    const dataset = `${base}/${encodeURIComponent(datasetReference.datasetId)}/tables`;
    const tables = (await getJson(dataset)) as {
      tables?: { tableReference: { tableId: string } }[];
    };
    for (const { tableReference } of tables.tables ?? []) {
      const table = (await getJson(`${dataset}/${encodeURIComponent(tableReference.tableId)}`)) as {
        numRows?: string;
      };
      counts.push({
        table: `${datasetReference.datasetId}.${tableReference.tableId}`,
        rows: table.numRows ?? '?',
      });
    }
  }
  return counts;
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}
