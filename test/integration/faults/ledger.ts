/**
 * The invariant every fault test ends on: what was written is what was loaded. Each version
 * of an object written through the ledger carries rows tagged with a label of its own, so
 * the table says which bytes were loaded and how often; each object's loads are counted in
 * the jobs.insert requests the local BigQuery server recorded.
 */
import { parseGsUri } from '../../../src/core/gs-uri';
import { parseSnapshotName } from '../../../src/core/snapshot';
import type { LocalStack } from '../../support/local-stack';
import { TEST_PROJECT } from '../../support/local-stack';

export const BUCKET = 'landing-faults';

export interface Written {
  bucket: string;
  name: string;
  generation: string;
  size: number;
  /** The label its rows carry. */
  tag: string;
  rows: number;
}

export function createLedger(stack: LocalStack) {
  /** Writes `rows` NDJSON rows tagged `tag` to `name` (a new generation, as an upload is). */
  function write(name: string, tag: string, rows: number): Written {
    const lines = Array.from({ length: rows }, (_, i) => `{"id":${i},"tag":"${tag}"}\n`);
    const stored = stack.gcs.store.insert(BUCKET, name, Buffer.from(lines.join('')), {});
    return {
      bucket: BUCKET,
      name,
      generation: stored.generation,
      size: Number(stored.size),
      tag,
      rows,
    };
  }

  /** The distinct job ids BigQuery was asked to insert for gs://BUCKET/name. */
  function jobIdsFor(name: string): string[] {
    const uri = `gs://${BUCKET}/${name}`;
    const ids = new Set<string>();
    for (const r of stack.bigquery.requests) {
      if (r.method !== 'POST' || !/\/jobs$/.test(r.path)) continue;
      const body = JSON.parse(r.body.toString('utf8')) as {
        jobReference?: { jobId?: string };
        configuration?: { load?: { sourceUris?: string[] } };
      };
      // A `snapshot` route's job reads the copy, named after its job id and the object.
      const reads = (u: string) =>
        u === uri || parseSnapshotName(parseGsUri(u)?.name ?? '')?.name === name;
      if (body.configuration?.load?.sourceUris?.some(reads) && body.jobReference?.jobId) {
        ids.add(body.jobReference.jobId);
      }
    }
    return [...ids];
  }

  /** Waits for every job of these objects to end, and expects each to have ended well. */
  async function settle(names: string[]): Promise<void> {
    for (const name of new Set(names)) {
      for (const jobId of jobIdsFor(name)) {
        const job = await stack.bigquery.waitForJob(TEST_PROJECT, jobId);
        expect(job.status).toMatchObject({ state: 'DONE' });
        expect(job.status).not.toHaveProperty('errorResult');
      }
    }
  }

  /** Rows per tag in `raw.<table>`, and whether any (tag, id) pair was loaded twice. */
  async function loaded(table: string): Promise<Record<string, number>> {
    const rows = await stack.bigquery.query(
      `SELECT tag, count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d
       FROM raw.${table} GROUP BY tag ORDER BY tag`,
    );
    const out: Record<string, number> = {};
    for (const row of rows) {
      // A (tag, id) pair loaded twice shows as n > d: report it as such, not as a count.
      out[String(row.tag)] = Number(row.n) === Number(row.d) ? Number(row.n) : -Number(row.n);
    }
    return out;
  }

  /**
   * The invariant: the table holds exactly the rows of `expected` (each version's rows
   * once, nothing of the others), and each object was inserted under `jobs` job ids (one
   * per generation that was loaded).
   */
  async function expectExactlyOnce(
    table: string,
    expected: Written[],
    jobs: Record<string, number>,
  ): Promise<void> {
    await settle(Object.keys(jobs));
    const want: Record<string, number> = {};
    for (const w of expected) want[w.tag] = w.rows;
    expect(await loaded(table)).toEqual(want);
    for (const [name, count] of Object.entries(jobs)) expect(jobIdsFor(name)).toHaveLength(count);
  }

  return { write, jobIdsFor, settle, loaded, expectExactlyOnce };
}
