/**
 * The per-event floor of an exactly-once loader that checks the generation: the lean POST
 * (lean-post.js) preceded by one claim — a Cloud Storage metadata PATCH with
 * ifGenerationMatch / ifMetagenerationMatch — over the same keep-alive agent and cached
 * token. Two loopback round trips per event, answers discarded, no rules, no retries: what
 * bq-autoloader with markers on cannot go below.
 */
const functions = require('@google-cloud/functions-framework');
const { accessToken, send } = require('./lean-http');

const project = process.env.GOOGLE_CLOUD_PROJECT;
const url = new URL(`${process.env.BIGQUERY_EMULATOR_HOST}/bigquery/v2/projects/${project}/jobs`);
const storage = process.env.STORAGE_EMULATOR_HOST;
const marker = JSON.stringify({
  metadata: { 'bq-autoloader-job': 'bench', 'bq-autoloader-state': 'claimed' },
});

functions.cloudEvent('bench', async (event) => {
  const { bucket, name, generation, metageneration } = event.data;
  const bearer = await accessToken();
  const object = `${storage}/b/${bucket}/o/${encodeURIComponent(name)}`;
  const claim = `${object}?ifGenerationMatch=${generation}&ifMetagenerationMatch=${metageneration}`;
  await send(new URL(claim), 'PATCH', marker, bearer);
  const body = JSON.stringify({
    configuration: { load: { sourceUris: [`gs://${bucket}/${name}`] } },
  });
  await send(url, 'POST', body, bearer);
});
