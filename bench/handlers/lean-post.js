/**
 * The per-event floor of a handler that must call BigQuery: one POST per event (a jobs.insert
 * body) over a keep-alive agent, with an access token from google-auth-library cached until a
 * minute before it expires — no client library, no rules, no job id, no retries. What is left
 * is the platform, one TLS-free loopback round trip and JSON.
 */
const http = require('node:http');
const https = require('node:https');
const functions = require('@google-cloud/functions-framework');
const { GoogleAuth } = require('google-auth-library');

const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/bigquery'] });
const project = process.env.GOOGLE_CLOUD_PROJECT;
const url = new URL(`${process.env.BIGQUERY_EMULATOR_HOST}/bigquery/v2/projects/${project}/jobs`);
const transport = url.protocol === 'https:' ? https : http;
const agent = new transport.Agent({ keepAlive: true });

let cached; // { value, expires }
let fetching; // the one token request in flight
/** The cached token; fetched again (one fetch in flight) a minute before it expires. */
async function accessToken() {
  if (cached && cached.expires - Date.now() > 60_000) return cached.value;
  fetching ??= (async () => {
    try {
      const client = await auth.getClient();
      const { token } = await client.getAccessToken();
      cached = { value: token, expires: client.credentials.expiry_date ?? Date.now() + 3e6 };
      return token;
    } finally {
      fetching = undefined;
    }
  })();
  return fetching;
}

function post(body, bearer) {
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${bearer}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

functions.cloudEvent('bench', async (event) => {
  const { bucket, name } = event.data;
  const body = JSON.stringify({
    configuration: { load: { sourceUris: [`gs://${bucket}/${name}`] } },
  });
  await post(body, await accessToken());
});
