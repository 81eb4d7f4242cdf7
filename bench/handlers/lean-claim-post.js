/**
 * The per-event floor of an exactly-once loader that checks the generation: the lean POST
 * (lean-post.js) preceded by one claim — a Cloud Storage metadata PATCH with
 * ifGenerationMatch / ifMetagenerationMatch — over the same keep-alive agent and cached
 * token. Two loopback round trips per event, answers discarded, no rules, no retries: what
 * bq-autoloader with markers on cannot go below.
 */
const http = require('node:http');
const https = require('node:https');
const functions = require('@google-cloud/functions-framework');
const { GoogleAuth } = require('google-auth-library');

const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/bigquery'] });
const project = process.env.GOOGLE_CLOUD_PROJECT;
const url = new URL(`${process.env.BIGQUERY_EMULATOR_HOST}/bigquery/v2/projects/${project}/jobs`);
const storage = process.env.STORAGE_EMULATOR_HOST;
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

function send(target, method, body, bearer) {
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method,
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
  const { bucket, name, generation, metageneration } = event.data;
  const bearer = await accessToken();
  const object = `${storage}/b/${bucket}/o/${encodeURIComponent(name)}`;
  const claim = `${object}?ifGenerationMatch=${generation}&ifMetagenerationMatch=${metageneration}`;
  const marker = { metadata: { 'bq-autoloader-job': 'bench', 'bq-autoloader-state': 'claimed' } };
  await send(new URL(claim), 'PATCH', JSON.stringify(marker), bearer);
  const body = JSON.stringify({
    configuration: { load: { sourceUris: [`gs://${bucket}/${name}`] } },
  });
  await send(url, 'POST', body, bearer);
});
