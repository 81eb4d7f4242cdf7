/**
 * The per-event floor: one authenticated POST per event (a jobs.insert body), with the same
 * auth library bq-autoloader uses and nothing else — no rules, no validation, no job id.
 */
const functions = require('@google-cloud/functions-framework');
const { GoogleAuth } = require('google-auth-library');

const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/bigquery'] });
const project = process.env.GOOGLE_CLOUD_PROJECT;
const url = `${process.env.BIGQUERY_EMULATOR_HOST}/bigquery/v2/projects/${project}/jobs`;

functions.cloudEvent('bench', async (event) => {
  const { bucket, name } = event.data;
  await auth.request({
    method: 'POST',
    url,
    data: { configuration: { load: { sourceUris: [`gs://${bucket}/${name}`] } } },
    retry: false,
  });
});
