/**
 * docs/troubleshooting.md lists every message a user can see; this keeps the stable prefixes
 * of the main ones both there and in the code that writes them (src/, dev/), so a reworded
 * message fails here until the page says the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '../..');
const page = readFileSync(join(REPO, 'docs/troubleshooting.md'), 'utf8');

/** Every TypeScript source the messages can come from, as one text. */
const sources = ['src', 'dev']
  .flatMap((dir) =>
    readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(REPO, dir, file), 'utf8')),
  )
  .join('\n');

/** A message, or [as the page shows it, as the code writes it] when the code fills it in. */
const PREFIXES: (string | [string, string])[] = [
  // start-up
  'is set but blank',
  'must be a whole number of',
  'AUTOLOADER_MARKERS must be "on" or "off"',
  'cannot read the rules file',
  'not valid YAML/JSON',
  'duplicate route name',
  'can never match',
  'needs allow.topics',
  'universe mismatch',
  'the credentials did not say which universe',
  // door
  'request refused',
  'not allowed: events are POSTed',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the code's template text, matched as written
  ['body over 16777216 bytes', 'body over ${MAX_BODY_BYTES} bytes'],
  'empty body: not a CloudEvent',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the code's template text, matched as written
  ['JSON body nests deeper than 64 levels', 'JSON body nests deeper than ${MAX_JSON_DEPTH} levels'],
  'request deferred',
  'request abandoned',
  'request failed',
  // events and files
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the code's template text, matched as written
  ['load job submitted', 'load job ${submitted.kind}'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the code's template text, matched as written
  ['load job duplicate', 'load job ${submitted.kind}'],
  'no route matched',
  'loaded by sweep',
  'is not a new object generation',
  'unsupported event type',
  'is a zero-byte object',
  'is not in allow.buckets',
  'is not in allow.destinations',
  'is no longer the live one',
  'is already claimed by job',
  'already exists but is not this load',
  'load failed in BigQuery',
  'will be redelivered',
  'load job loaded',
  'load job failed',
  'is not the load the rules plan for its objects',
  'notified: failed',
  // transforms, dedupe, schema evolution
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the code's template text, matched as written
  ["must read {staging} (the file's rows)", "must read ${STAGING_PLACEHOLDER} (the file's rows)"],
  'must be one statement',
  'needs `order_by`',
  'a partition decorator cannot be written by the DML',
  'inline data cannot go through transform, dedupe or rescue yet',
  'schemaUpdateOptions is set by schemaEvolution',
  "reads each file's columns (autodetect)",
  'reads rows of NEWLINE_DELIMITED_JSON or CSV files',
  'the file has columns table',
  'has no JSON column',
  "and the route's createDisposition is CREATE_NEVER",
  'the file shares no column with table',
  'the transform is not valid SQL for this file',
  'no longer exists (expired?): retry the load',
  "already exists but is not this load's query",
  'its query job is running',
  "a query job that is not a staged load's",
  // requests and dead letters
  'message refused',
  'not a message this function takes',
  'is not in allow.topics',
  'the source topic is unknown',
  'objects refused',
  'is not in the overrides of route',
  'refused and acknowledged WITHOUT a dead letter',
  'load request fanned out',
  // sweeps and CLI
  'invalid sweep command',
  'sweep names unknown routes',
  'unknown command',
  'not found in Cloud Storage (pass --generation',
  'nothing to retry',
  'no local stack found',
  'the local stack is not running',
  'invalid rules, not starting',
  'is already in use on 127.0.0.1',
  'rules not reloaded',
];

it.each(PREFIXES.map((p) => (typeof p === 'string' ? [p, p] : p)))(
  'docs/troubleshooting.md explains "%s", which the code still says',
  (shown, written) => {
    expect(page).toContain(shown);
    expect(sources).toContain(written);
  },
);
