/**
 * What the lean floor handlers share: one keep-alive agent per protocol, an access token
 * from google-auth-library cached until a minute before it expires (one fetch in flight),
 * and one request whose answer is read and discarded.
 */
const http = require('node:http');
const https = require('node:https');
const { GoogleAuth } = require('google-auth-library');

const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/bigquery'] });
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

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

/** One request over the keep-alive agent; resolves when the answer has been read. */
function send(url, method, body, bearer) {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method,
        agent: agents[url.protocol],
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

module.exports = { accessToken, send };
