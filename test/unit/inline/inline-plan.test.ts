/** Pure planning of inline data: route, overrides by attribute, format, deterministic job id. */
import { inlineJobId } from '../../../src/core/job-id';
import { planInlineLoad } from '../../../src/routing/inline-plan';
import type { InlineData } from '../../../src/types';
import { rulesFrom } from '../routing/rules';

const RULES = `
project: p
allow:
  topics: [projects/p/topics/*]
  destinations: [p.raw]
routes:
  - name: events
    match: gs://landing/events/*.ndjson
    destination: raw.events
    format: NEWLINE_DELIMITED_JSON
    schema: autodetect
    accepts: [inline]
    overrides: [bq-table]
  - name: free-format
    match: gs://landing/free/*
    destination: raw.free_{created:yyyyMMdd}
    accepts: [inline]
    load: { skipLeadingRows: 1 }
  - name: objects
    match: gs://landing/objects/*
    destination: raw.objects
`;
const source = {
  topic: 'projects/p/topics/t',
  messageId: '42',
  publishTime: '2026-11-27T10:30:11Z',
};
const ctx = { runtimeProject: 'runtime' };

function inline(over: Partial<InlineData> = {}): InlineData {
  return { route: 'events', gzip: false, bytes: Buffer.from('{}\n'), attributes: {}, ...over };
}

describe('planInlineLoad', () => {
  it('takes destination, format and schema from the route, without sourceUris', async () => {
    const decision = planInlineLoad(await rulesFrom(RULES), inline(), source, ctx);
    expect(decision).toMatchObject({
      kind: 'load',
      plan: {
        route: 'events',
        projectId: 'p',
        jobId: inlineJobId(source.topic, '42', 'events'),
        job: {
          configuration: {
            load: {
              destinationTable: { projectId: 'p', datasetId: 'raw', tableId: 'events' },
              sourceFormat: 'NEWLINE_DELIMITED_JSON',
              autodetect: true,
            },
            labels: { 'bq-autoloader-route': 'events', 'bq-autoloader-topic': 't' },
          },
        },
      },
    });
    expect(
      decision.kind === 'load' && decision.plan.job.configuration.load.sourceUris,
    ).toBeUndefined();
  });

  it('applies an attribute the route lists in overrides', async () => {
    const decision = planInlineLoad(
      await rulesFrom(RULES),
      inline({ attributes: { 'bq-table': 'events_eu' } }),
      source,
      ctx,
    );
    expect(
      decision.kind === 'load' && decision.plan.job.configuration.load.destinationTable.tableId,
    ).toBe('events_eu');
  });

  it('takes the format attribute when the route fixes none, and renders {created} from the publish time', async () => {
    const decision = planInlineLoad(
      await rulesFrom(RULES),
      inline({ route: 'free-format', format: 'CSV' }),
      source,
      ctx,
    );
    expect(decision).toMatchObject({
      kind: 'load',
      plan: {
        job: {
          configuration: {
            load: {
              sourceFormat: 'CSV',
              skipLeadingRows: 1,
              destinationTable: { tableId: 'free_20261127' },
            },
          },
        },
      },
    });
  });

  it.each([
    { name: 'an unknown route', data: { route: 'nope' }, reason: 'no route named "nope"' },
    {
      name: 'a route without inline',
      data: { route: 'objects' },
      reason: 'does not accept inline',
    },
    {
      name: 'an attribute not in overrides',
      data: { attributes: { 'bq-dataset': 'other' } },
      reason: 'bq-dataset is not in the overrides',
    },
    { name: 'a conflicting format', data: { format: 'CSV' }, reason: 'differs from route' },
    { name: 'no format at all', data: { route: 'free-format' }, reason: 'no format' },
    {
      name: 'an override that is not a table name',
      data: { attributes: { 'bq-table': 'a.b' } },
      reason: 'destination',
    },
  ])('refuses $name', async ({ data, reason }) => {
    const decision = planInlineLoad(
      await rulesFrom(RULES),
      inline(data as Partial<InlineData>),
      source,
      ctx,
    );
    expect(decision.kind).toBe('refused');
    expect(decision.kind === 'refused' && decision.reason).toContain(reason);
  });
});
