/**
 * Issue 15: project ids with a universe prefix (`s3ns:example-project`) or a domain
 * (`example.com:project`) work wherever a project appears in the rules: the default project,
 * destinations, allow.destinations (whose `*` never crosses a `.`), object-metadata project
 * overrides, and topic names.
 */
import { planObjectLoad } from '../../../src/routing/plan';
import type { RouteDecision } from '../../../src/types';
import { objectRef, rulesFrom } from './rules';

const RULES = `
project: s3ns:billing-project
allow:
  destinations: [s3ns:example-project.raw, example.com:project.*]
  topics: [projects/s3ns:example-project/topics/loads]
routes:
  - name: own
    match: gs://landing/own/*.csv
    destination: raw.own
  - name: named
    match: gs://landing/named/*.csv
    destination: s3ns:example-project.raw.named
    overrides: [bq-project]
  - name: domain
    match: gs://landing/domain/*.csv
    destination: example.com:project.{basename}.t
    notifyTopic: projects/s3ns:example-project/topics/done
`;

async function plan(name: string, metadata: Record<string, string> = {}): Promise<RouteDecision> {
  const rules = await rulesFrom(RULES);
  return planObjectLoad(rules, objectRef({ name, metadata }), {
    runtimeProject: 's3ns:runtime-project',
  });
}

function destination(decision: RouteDecision): unknown {
  if (decision.kind !== 'load') throw new Error(JSON.stringify(decision));
  return {
    job: decision.plan.job.jobReference.projectId,
    table: decision.plan.job.configuration.load.destinationTable,
  };
}

it('bills jobs to the prefixed default project and loads into a prefixed destination', async () => {
  expect(destination(await plan('named/a.csv'))).toEqual({
    job: 's3ns:billing-project',
    table: { projectId: 's3ns:example-project', datasetId: 'raw', tableId: 'named' },
  });
  expect(destination(await plan('domain/staging.csv'))).toEqual({
    job: 's3ns:billing-project',
    table: { projectId: 'example.com:project', datasetId: 'staging', tableId: 't' },
  });
});

it('refuses a destination in the default project that allow.destinations does not name', async () => {
  expect(await plan('own/a.csv')).toMatchObject({
    kind: 'refused',
    reason: 'destination s3ns:billing-project.raw.own is not in allow.destinations',
  });
});

it('takes a prefixed project from object metadata, still inside the allowlist', async () => {
  expect(destination(await plan('named/a.csv', { 'bq-project': 's3ns:example-project' }))).toEqual({
    job: 's3ns:billing-project',
    table: { projectId: 's3ns:example-project', datasetId: 'raw', tableId: 'named' },
  });
  expect(await plan('named/a.csv', { 'bq-project': 's3ns:other-project' })).toMatchObject({
    kind: 'refused',
    reason: expect.stringContaining('s3ns:other-project.raw.named is not in allow.destinations'),
  });
  expect(await plan('named/a.csv', { 'bq-project': 'S3NS:Bad' })).toMatchObject({
    kind: 'refused',
    reason: expect.stringContaining('project id "S3NS:Bad" is invalid'),
  });
});
