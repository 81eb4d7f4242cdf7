/**
 * docs/troubleshooting.md lists every message a user can see; this keeps the stable prefixes
 * of the main ones there, so a reworded message in src/ shows up as a page to update.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const page = readFileSync(join(__dirname, '../../docs/troubleshooting.md'), 'utf8');

const PREFIXES = [
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
  'body over 16777216 bytes',
  'empty body: not a CloudEvent',
  'JSON body nests deeper than 64 levels',
  'request deferred',
  'request abandoned',
  'request failed',
  // events and files
  'load job submitted',
  'load job duplicate',
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

it.each(PREFIXES)('docs/troubleshooting.md explains "%s"', (prefix) => {
  expect(page).toContain(prefix);
});
