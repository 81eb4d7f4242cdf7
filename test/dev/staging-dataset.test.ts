import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BigQueryServer, startBigQueryServer } from '../../dev/bigquery/server';
import { ensureStagingDataset } from '../../dev/staging-dataset';
import { rulesFrom } from '../unit/routing/rules';

let bigquery: BigQueryServer;

beforeAll(async () => {
  bigquery = await startBigQueryServer({ bucketsDir: mkdtempSync(join(tmpdir(), 'bqal-stage-')) });
});

afterAll(async () => {
  await bigquery?.close();
});

async function dataset(project: string, id: string): Promise<Response> {
  return fetch(`${bigquery.url}/bigquery/v2/projects/${project}/datasets/${id}`);
}

describe('the local stack staging dataset', () => {
  it('is created with a 24 h default table expiration for rules with a staged route, once', async () => {
    const rules = await rulesFrom(
      'staging: { dataset: ops.stage }\nroutes:\n  - name: r\n    match: gs://b/*.json\n    destination: raw.t\n    dedupe: { key: [id], keep: first }\n',
    );
    await ensureStagingDataset(bigquery.url, rules, 'local-project');
    await ensureStagingDataset(bigquery.url, rules, 'local-project');
    const answer = await dataset('ops', 'stage');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ defaultTableExpirationMs: '86400000' });
  });

  it('is not created when no route is staged', async () => {
    const rules = await rulesFrom(
      'routes:\n  - name: r\n    match: gs://b/*.json\n    destination: raw.t\n',
    );
    await ensureStagingDataset(bigquery.url, rules, 'plain-project');
    expect((await dataset('plain-project', 'bq_autoloader_staging')).status).toBe(404);
  });
});
