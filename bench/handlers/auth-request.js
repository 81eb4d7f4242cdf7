/**
 * One authenticated POST per event (a jobs.insert body) through google-auth-library's
 * `auth.request` — the generic request stack (gaxios per call, a token lookup per call) with
 * nothing else: no rules, no validation, no job id. Compare with lean-post.js, which sends the
 * same request over a keep-alive agent with a cached token.
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
