/**
 * The per-event floor of a handler that must call BigQuery: one POST per event (a jobs.insert
 * body) over a keep-alive agent, with an access token from google-auth-library cached until a
 * minute before it expires — no client library, no rules, no job id, no retries. What is left
 * is the platform, one TLS-free loopback round trip and JSON.
 */
const functions = require('@google-cloud/functions-framework');
const { accessToken, send } = require('./lean-http');

const project = process.env.GOOGLE_CLOUD_PROJECT;
const url = new URL(`${process.env.BIGQUERY_EMULATOR_HOST}/bigquery/v2/projects/${project}/jobs`);

functions.cloudEvent('bench', async (event) => {
  const { bucket, name } = event.data;
  const body = JSON.stringify({
    configuration: { load: { sourceUris: [`gs://${bucket}/${name}`] } },
  });
  await send(url, 'POST', body, await accessToken());
});
