/**
 * The ack/retry decision, with fake edges: what is thrown (redelivered) and what returns
 * (acknowledged), and the one outcome line per event.
 */

import { parseConfig } from '../../../src/config/parse';
import { PermanentError, RetryableError } from '../../../src/errors';
import { setLogSink } from '../../../src/log';
import { createHandler, type HandlerDeps } from '../../../src/pipeline/handler';
import { compileRules } from '../../../src/routing/compile';
import type { LoadPlan, ObjectRef } from '../../../src/types';

const rules = compileRules(
  parseConfig(
    'routes:\n  - name: sales\n    match: gs://landing/sales/*.csv\n    destination: raw.sales\n    schema: autodetect\n',
    'test.yaml',
  ) as Parameters<typeof compileRules>[0],
);

function finalizeEvent(name: string, size = '10') {
  return {
    specversion: '1.0',
    id: `evt-${name}`,
    type: 'google.cloud.storage.object.v1.finalized',
    source: '//storage.googleapis.com/projects/_/buckets/landing',
    subject: `objects/${name}`,
    data: { bucket: 'landing', name, generation: '7', metageneration: '1', size },
  };
}

function setup(overrides: Partial<HandlerDeps> = {}) {
  const lines: Record<string, unknown>[] = [];
  setLogSink((line) => lines.push(JSON.parse(line)));
  const inserted: LoadPlan[] = [];
  const deps: HandlerDeps = {
    rules: async () => rules,
    runtimeProject: async () => 'proj',
    insertJob: async (plan) => {
      inserted.push(plan);
      return { outcome: 'submitted', job: {} };
    },
    getLiveObject: async () => undefined,
    ...overrides,
  };
  return { handler: createHandler(deps), lines, inserted };
}

describe('the handler', () => {
  it('submits a routed object and logs exactly one submitted line', async () => {
    const { handler, lines, inserted } = setup();
    await handler(finalizeEvent('sales/a.csv'));
    expect(inserted).toHaveLength(1);
    expect(lines.filter((l) => l.outcome)).toEqual([
      expect.objectContaining({
        outcome: 'submitted',
        route: 'sales',
        object: 'gs://landing/sales/a.csv',
        jobId: inserted[0]?.jobId,
      }),
    ]);
  });

  it('groups the line under the event trace in the runtime project, with route, table and outcome labels', async () => {
    const { handler, lines } = setup();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await handler({
      ...finalizeEvent('sales/t.csv'),
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(lines.find((l) => l.outcome)).toMatchObject({
      'logging.googleapis.com/trace': `projects/proj/traces/${traceId}`,
      'logging.googleapis.com/labels': {
        outcome: 'submitted',
        route: 'sales',
        table: 'proj.raw.sales',
      },
    });
  });

  it('acknowledges a permanent BigQuery error as refused with its reason', async () => {
    const { handler, lines } = setup({
      insertJob: async () => {
        throw new PermanentError('Access Denied: dataset raw', {
          status: 403,
          reason: 'accessDenied',
        });
      },
    });
    await expect(handler(finalizeEvent('sales/b.csv'))).resolves.toBeUndefined();
    expect(lines.find((l) => l.outcome)).toMatchObject({
      outcome: 'refused',
      severity: 'ERROR',
      reason: expect.stringContaining('Access Denied'),
    });
  });

  it('throws a retryable error so the trigger redelivers, after one retry line', async () => {
    const failure = new RetryableError('backendError', { status: 503, reason: 'backendError' });
    const { handler, lines } = setup({
      insertJob: async () => {
        throw failure;
      },
    });
    await expect(handler(finalizeEvent('sales/c.csv'))).rejects.toBe(failure);
    expect(lines.filter((l) => l.outcome).map((l) => l.outcome)).toEqual(['retry']);
  });

  it('throws an unknown error too (redelivered, not retried in-process)', async () => {
    const { handler, lines } = setup({
      insertJob: async () => {
        throw new TypeError('boom');
      },
    });
    await expect(handler(finalizeEvent('sales/d.csv'))).rejects.toThrow('boom');
    expect(lines.find((l) => l.outcome)).toMatchObject({
      outcome: 'retry',
      reason: 'unexpected error: boom',
    });
  });

  it('refuses a notification whose generation is no longer live', async () => {
    const { handler, lines, inserted } = setup();
    await handler({
      specversion: '1.0',
      id: 'n1',
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: '//pubsub.googleapis.com/projects/p/topics/t',
      data: {
        message: {
          messageId: '1',
          attributes: {
            eventType: 'OBJECT_FINALIZE',
            payloadFormat: 'NONE',
            bucketId: 'landing',
            objectId: 'sales/e.csv',
            objectGeneration: '9',
          },
        },
      },
    });
    expect(inserted).toHaveLength(0);
    expect(lines.find((l) => l.outcome)).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('generation 9 is no longer the live one'),
    });
  });

  it('reads a pointer from storage, then routes what it read', async () => {
    const read: ObjectRef = {
      bucket: 'landing',
      name: 'sales/f.csv',
      generation: '9',
      size: 5,
      metadata: {},
    };
    const { handler, inserted } = setup({ getLiveObject: async () => read });
    await handler({
      specversion: '1.0',
      id: 'n2',
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: '//pubsub.googleapis.com/projects/p/topics/t',
      data: {
        message: {
          messageId: '2',
          attributes: {
            eventType: 'OBJECT_FINALIZE',
            payloadFormat: 'NONE',
            bucketId: 'landing',
            objectId: 'sales/f.csv',
            objectGeneration: '9',
          },
        },
      },
    });
    expect(inserted.map((p) => p.object)).toEqual(['gs://landing/sales/f.csv']);
  });

  it('refuses a zero-byte object without calling BigQuery', async () => {
    const { handler, lines, inserted } = setup();
    await handler(finalizeEvent('sales/empty.csv', '0'));
    expect(inserted).toHaveLength(0);
    expect(lines.find((l) => l.outcome)).toMatchObject({ outcome: 'refused' });
  });
});

describe('the handler, on answers that look like success', () => {
  it.each([
    ['submitted', 'the job failed: notFound: Not found: Dataset proj:raw'],
    ['duplicate', 'the existing job failed: notFound: Not found: Dataset proj:raw'],
  ] as const)(
    'reports a %s job that is already DONE with an errorResult as refused',
    async (outcome, reason) => {
      const { handler, lines } = setup({
        insertJob: async () => ({
          outcome,
          job: {
            status: {
              state: 'DONE',
              errorResult: { reason: 'notFound', message: 'Not found: Dataset proj:raw' },
            },
          },
        }),
      });
      await expect(handler(finalizeEvent(`sales/failed-${outcome}.csv`))).resolves.toBeUndefined();
      expect(lines.filter((l) => l.outcome)).toEqual([
        expect.objectContaining({ outcome: 'refused', severity: 'ERROR', reason, route: 'sales' }),
      ]);
    },
  );
});

describe('the handler, on Cloud Storage failures', () => {
  const pointerEvent = {
    specversion: '1.0',
    id: 'n3',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/p/topics/t',
    data: {
      message: {
        messageId: '3',
        attributes: {
          eventType: 'OBJECT_FINALIZE',
          payloadFormat: 'NONE',
          bucketId: 'landing',
          objectId: 'sales/g.csv',
          objectGeneration: '9',
        },
      },
    },
  };

  it('acknowledges a permanent read failure as refused instead of redelivering it for a day', async () => {
    const { handler, lines } = setup({
      getLiveObject: async () => {
        throw new PermanentError('Cloud Storage gs://landing/sales/g.csv#9: HTTP 403', {
          status: 403,
        });
      },
    });
    await expect(handler(pointerEvent)).resolves.toBeUndefined();
    expect(lines.filter((l) => l.outcome)).toEqual([
      expect.objectContaining({ outcome: 'refused', reason: expect.stringContaining('403') }),
    ]);
  });

  it('names the route and job on a retry line once they are known', async () => {
    const { handler, lines } = setup({
      insertJob: async () => {
        throw new RetryableError('backendError', { status: 503 });
      },
    });
    await expect(handler(finalizeEvent('sales/h.csv'))).rejects.toThrow('backendError');
    expect(lines.find((l) => l.outcome)).toMatchObject({
      outcome: 'retry',
      route: 'sales',
      jobId: expect.stringMatching(/^bqal_sales_/),
    });
  });
});

describe('the handler, on where a notification or a sweep command came from', () => {
  const guarded = compileRules(
    parseConfig(
      `allow:
  notificationTopics: [projects/p/topics/gcs-*]
  sweepTopics: [projects/p/topics/sweeps]
routes:
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
    schema: autodetect
`,
      'test.yaml',
    ) as Parameters<typeof compileRules>[0],
  );

  function published(topic: string, message: Record<string, unknown>) {
    return {
      specversion: '1.0',
      id: `m-${topic}`,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: `//pubsub.googleapis.com/${topic}`,
      data: { message: { messageId: '1', ...message } },
    };
  }
  const notification = {
    attributes: {
      eventType: 'OBJECT_FINALIZE',
      payloadFormat: 'NONE',
      bucketId: 'landing',
      objectId: 'sales/t.csv',
      objectGeneration: '9',
    },
  };
  const sweep = { data: Buffer.from('{"kind":"sweep"}').toString('base64') };

  it.each([
    ['a notification', 'projects/p/topics/other', notification, /not in allow.notificationTopics/],
    ['a sweep command', 'projects/p/topics/other', sweep, /not in allow.sweepTopics/],
  ])(
    'refuses %s from a topic the rules do not allow, before anything else',
    async (_what, topic, message, reason) => {
      const swept: unknown[] = [];
      const { handler, lines, inserted } = setup({
        rules: async () => guarded,
        getLiveObject: async () => {
          throw new Error('must not be read');
        },
        sweep: async (command) => {
          swept.push(command);
          throw new Error('must not run');
        },
      });
      await expect(handler(published(topic, message))).resolves.toBeUndefined();
      expect(inserted).toEqual([]);
      expect(swept).toEqual([]);
      expect(lines.find((l) => l.outcome)).toMatchObject({
        outcome: 'refused',
        reason: expect.stringMatching(reason),
      });
    },
  );

  it('acts on a notification from an allowed topic', async () => {
    const read: ObjectRef = {
      bucket: 'landing',
      name: 'sales/t.csv',
      generation: '9',
      size: 5,
      metadata: {},
    };
    const { handler, inserted } = setup({
      rules: async () => guarded,
      getLiveObject: async () => read,
    });
    await handler(published('projects/p/topics/gcs-landing', notification));
    expect(inserted).toHaveLength(1);
  });
});
