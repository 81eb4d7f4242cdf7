/**
 * The handler's path for requests and inline data, with fake clients: refusals are logged once,
 * dead-lettered and acknowledged; a failed dead-letter publish and retryable errors throw.
 */
import { PermanentError, RetryableError } from '../../../../src/errors';
import type { Publisher } from '../../../../src/gcp/pubsub/publisher';
import { setLogSink } from '../../../../src/log';
import { createHandler, type HandlerDeps } from '../../../../src/pipeline/handler';
import type { ExternalDeps } from '../../../../src/pipeline/requests/external';
import type { LoadPlan, ObjectRef } from '../../../../src/types';
import { fixture } from '../../events/fixtures';
import { objectRef, rulesFrom } from '../../routing/rules';

const RULES = `
project: p
allow:
  buckets: [landing]
  topics: [projects/my-project/topics/ingest-*]
deadLetterTopic: projects/my-project/topics/dead
routes:
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
    accepts: [object, request, inline]
    format: CSV
  - name: events
    match: gs://landing/events/*.ndjson
    destination: raw.events
    accepts: [inline]
`;

let lines: Record<string, unknown>[] = [];
beforeEach(() => {
  lines = [];
  setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
});

function setup(
  { publisher: publisherOver, ...over }: Partial<ExternalDeps> & { publisher?: Publisher } = {},
  handlerOver: Partial<HandlerDeps> = {},
) {
  const inserted: LoadPlan[] = [];
  const uploaded: { plan: LoadPlan; bytes: number }[] = [];
  const published: { topic: string; attributes?: Record<string, string> }[] = [];
  const live: Record<string, ObjectRef> = {
    'landing/sales/a.csv': objectRef({ name: 'sales/a.csv' }),
    'landing/sales/b.csv': objectRef({ name: 'sales/b.csv', generation: '7' }),
  };
  const publisher: Publisher = {
    publish: async (topic, message) => {
      published.push({ topic, attributes: message.attributes });
      return 'dl-1';
    },
  };
  const external: ExternalDeps = {
    insertJob: async (plan) => {
      inserted.push(plan);
      return { outcome: 'submitted', job: {} };
    },
    uploadJob: async (plan, data) => {
      uploaded.push({ plan, bytes: data.length });
      return { outcome: 'submitted', job: {} };
    },
    getLiveObject: async (bucket, name) => live[`${bucket}/${name}`],
    listPrefix: async function* () {
      yield Object.values(live);
    },
    fanOut: { publish: async () => 'chunk-1', chunkObjects: 100 },
    ...over,
  };
  const rules = rulesFrom(RULES);
  const deps: HandlerDeps = {
    rules: () => rules,
    runtimeProject: async () => 'runtime',
    insertJob: async () => {
      throw new Error('not for requests');
    },
    getLiveObject: async () => undefined,
    external,
    deadLetters: { publisher: publisherOver ?? publisher, retrySeconds: 3600 },
    ...handlerOver,
  };
  return { handler: createHandler(deps), inserted, uploaded, published };
}

/** Sets the message's publish time to now: a young message. */
function publishedNow(event: Record<string, unknown>): void {
  const data = event.data as { message: { publishTime?: string } };
  data.message.publishTime = new Date().toISOString();
}

describe('a load request through the handler', () => {
  it('submits each object at its live generation: one line per object and one summary', async () => {
    const { handler, inserted, published } = setup();
    const event = fixture('requests/load-objects');
    await handler(event);
    expect(inserted.map((p) => p.object)).toEqual([
      'gs://landing/sales/a.csv',
      'gs://landing/sales/b.csv',
    ]);
    expect(lines.filter((l) => l.requestPart).map((l) => l.outcome)).toEqual([
      'submitted',
      'submitted',
    ]);
    const summary = lines.filter((l) => !l.requestPart);
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({
      outcome: 'submitted',
      objects: { submitted: 2, duplicate: 0, refused: 0 },
    });
    expect(published).toEqual([]);
  });

  it('refuses a request from a topic outside allow.topics and dead-letters it', async () => {
    const { handler, inserted, published } = setup();
    const event = fixture('requests/load-objects');
    event.source = '//pubsub.googleapis.com/projects/my-project/topics/somebody-else';
    await handler(event);
    expect(inserted).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ outcome: 'refused', deadLetterMessageId: 'dl-1' });
    expect(published).toEqual([
      {
        topic: 'projects/my-project/topics/dead',
        attributes: expect.objectContaining({
          reason: 'topic projects/my-project/topics/somebody-else is not in allow.topics',
          sourceTopic: 'projects/my-project/topics/somebody-else',
        }),
      },
    ]);
  });

  it('dead-letters a malformed request too', async () => {
    const { handler, published } = setup();
    await handler(fixture('requests/invalid-load-both'));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.outcome).toBe('refused');
    expect(published[0]?.attributes?.reason).toContain('either objects or prefix');
  });

  it('throws (redelivery) when the dead letter cannot be published and the message is young', async () => {
    const { handler } = setup({
      publisher: {
        publish: async () => {
          throw new RetryableError('Pub/Sub publish: HTTP 503');
        },
      },
    });
    const event = fixture('requests/invalid-load-both');
    publishedNow(event);
    await expect(handler(event)).rejects.toBeInstanceOf(RetryableError);
    expect(lines.map((l) => l.outcome)).toEqual(['retry']);
  });

  it('throws when BigQuery stays unavailable, after the objects in flight finish', async () => {
    const { handler } = setup({
      insertJob: async () => {
        throw new RetryableError('HTTP 503');
      },
    });
    await expect(handler(fixture('requests/load-objects'))).rejects.toBeInstanceOf(RetryableError);
    expect(lines.at(-1)?.outcome).toBe('retry');
  });

  it('refuses an object Cloud Storage will never let it read, loads the others and dead-letters the request', async () => {
    const { handler, inserted, published } = setup({
      getLiveObject: async (bucket, name) => {
        if (name === 'sales/a.csv') throw new PermanentError('Cloud Storage get: HTTP 403');
        return objectRef({ bucket, name });
      },
    });
    await handler(fixture('requests/load-objects'));
    expect(inserted.map((p) => p.object)).toEqual(['gs://landing/sales/b.csv']);
    expect(lines.find((l) => l.object === 'gs://landing/sales/a.csv')).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('HTTP 403'),
    });
    expect(lines.at(-1)).toMatchObject({ outcome: 'refused', deadLetterMessageId: 'dl-1' });
    expect(published[0]?.attributes?.reason).toContain('HTTP 403');
  });

  it('refuses a prefix whose listing is forbidden instead of redelivering it forever', async () => {
    const { handler, inserted, published } = setup({
      listPrefix: async function* () {
        yield* [];
        throw new PermanentError('Cloud Storage list: HTTP 403');
      },
    });
    await handler(fixture('requests/load-prefix-route'));
    expect(inserted).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ outcome: 'refused', deadLetterMessageId: 'dl-1' });
    expect(published[0]?.attributes?.reason).toContain('HTTP 403');
  });

  it('skips empty objects and folder placeholders of a prefix silently', async () => {
    const { handler, inserted } = setup({
      listPrefix: async function* () {
        yield [
          objectRef({ name: 'sales/', size: 0 }),
          objectRef({ name: 'sales/empty.csv', size: 0 }),
          objectRef({ name: 'sales/a.csv' }),
        ];
      },
    });
    await handler(fixture('requests/load-prefix-route'));
    expect(inserted.map((p) => p.object)).toEqual(['gs://landing/sales/a.csv']);
    expect(lines.at(-1)).toMatchObject({ outcome: 'submitted' });
  });

  it('still redelivers a request whose listing fails for a while', async () => {
    const { handler, published } = setup({
      listPrefix: async function* () {
        yield* [];
        throw new RetryableError('Cloud Storage list: HTTP 503');
      },
    });
    await expect(handler(fixture('requests/load-prefix-route'))).rejects.toBeInstanceOf(
      RetryableError,
    );
    expect(lines.map((l) => l.outcome)).toEqual(['retry']);
    expect(published).toEqual([]);
  });

  it('refuses and dead-letters a message on any other permanent error, and acknowledges it', async () => {
    const { handler, published } = setup(
      {},
      {
        runtimeProject: async () => {
          throw new PermanentError('no project: HTTP 403');
        },
      },
    );
    await handler(fixture('requests/load-objects'));
    expect(lines).toEqual([
      expect.objectContaining({ outcome: 'refused', reason: 'no project: HTTP 403' }),
    ]);
    expect(published).toHaveLength(1);
  });
});

const FAILED_JOB = {
  status: {
    state: 'DONE',
    errorResult: { reason: 'notFound', message: 'Not found: Dataset p:raw' },
  },
};

describe('a load job that BigQuery returns already failed', () => {
  it.each(['submitted', 'duplicate'] as const)(
    'refuses the object of a %s job that is DONE with an error and dead-letters the request',
    async (outcome) => {
      const { handler, published } = setup({
        insertJob: async (plan) =>
          plan.object === 'gs://landing/sales/a.csv'
            ? { outcome, job: FAILED_JOB }
            : { outcome: 'submitted', job: { status: { state: 'RUNNING' } } },
      });
      await handler(fixture('requests/load-objects'));
      expect(lines.find((l) => l.object === 'gs://landing/sales/a.csv')).toMatchObject({
        outcome: 'refused',
        reason: expect.stringContaining('notFound: Not found: Dataset p:raw'),
      });
      expect(lines.at(-1)).toMatchObject({
        outcome: 'refused',
        objects: { submitted: 1, duplicate: 0, refused: 1 },
      });
      expect(published[0]?.attributes?.reason).toContain('notFound');
    },
  );

  it.each(['submitted', 'duplicate'] as const)(
    'refuses inline data whose %s job is DONE with an error and dead-letters it (the only copy)',
    async (outcome) => {
      const { handler, published } = setup({
        uploadJob: async () => ({ outcome, job: FAILED_JOB }),
      });
      await handler(fixture('requests/inline-gzip-csv'));
      expect(lines).toEqual([
        expect.objectContaining({
          outcome: 'refused',
          reason: expect.stringContaining('notFound: Not found: Dataset p:raw'),
          deadLetterMessageId: 'dl-1',
        }),
      ]);
      expect(published).toHaveLength(1);
    },
  );
});

describe('inline data through the handler', () => {
  it('uploads the bytes with the route plan', async () => {
    const { handler, uploaded } = setup();
    const event = fixture('requests/inline-gzip-csv');
    await handler(event);
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]?.plan.route).toBe('sales');
    expect(lines).toEqual([expect.objectContaining({ outcome: 'submitted', route: 'sales' })]);
  });

  it('names the route and job on the refusal of an upload BigQuery refuses, and dead-letters it', async () => {
    const { handler, published } = setup({
      uploadJob: async () => {
        throw new PermanentError('Access Denied: dataset raw', { status: 403 });
      },
    });
    await handler(fixture('requests/inline-gzip-csv'));
    expect(lines).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        reason: 'Access Denied: dataset raw',
        route: 'sales',
        jobId: expect.stringMatching(/^bqal_sales_/),
        deadLetterMessageId: 'dl-1',
      }),
    ]);
    expect(published).toHaveLength(1);
  });

  it('refuses and dead-letters an override the route does not allow', async () => {
    const { handler, uploaded, published } = setup();
    await handler(fixture('requests/inline-ndjson'));
    expect(uploaded).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ outcome: 'refused' })]);
    expect(published[0]?.attributes).toMatchObject({ route: 'events', 'bq-table': 'events_eu' });
    expect(published[0]?.attributes?.reason).toContain('bq-table is not in the overrides');
  });
});
