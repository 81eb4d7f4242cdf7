/**
 * The decoder against what the real Functions Framework hands a CloudEvent function: binary
 * and structured CloudEvents, legacy background events and raw Pub/Sub push bodies (which it
 * converts only when the message has data).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CloudEvent, cloudEvent } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { decodeEvent } from '../../../src/events/decode';
import type { DecodedEvent } from '../../../src/types';
import { fixture } from './fixtures';

const OBJECT = {
  bucket: 'landing-prod',
  name: 'sales/emea/2026-11-27/orders 01.csv',
  generation: '1764241810123456',
};

interface HttpRequest {
  headers: Record<string, string>;
  body: unknown;
  path?: string;
}

function binary(name: string): HttpRequest {
  const { data, datacontenttype: _, ...attributes } = fixture(name);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [key, value] of Object.entries(attributes)) headers[`ce-${key}`] = String(value);
  return { headers, body: data };
}

function structured(name: string): HttpRequest {
  return { headers: { 'content-type': 'application/cloudevents+json' }, body: fixture(name) };
}

function legacy(name: string): HttpRequest {
  const event = fixture(name);
  return {
    headers: { 'content-type': 'application/json' },
    body: {
      context: {
        eventId: event.id,
        timestamp: event.time,
        eventType: 'google.storage.object.finalize',
        resource: {
          service: 'storage.googleapis.com',
          name: `projects/_/buckets/${OBJECT.bucket}/objects/${OBJECT.name}`,
          type: 'storage#object',
        },
      },
      data: event.data,
    },
  };
}

/** The push body a subscription POSTs for the message inside a messagePublished fixture. */
function rawPush(name: string): HttpRequest {
  const data = fixture(name).data as { message: unknown };
  return {
    headers: { 'content-type': 'application/json' },
    body: { message: data.message, subscription: 'projects/my-project/subscriptions/push' },
    path: '/projects/my-project/topics/gcs-landing',
  };
}

describe('decodeEvent behind the Functions Framework', () => {
  const received: DecodedEvent[] = [];
  let server: Server;
  let url: string;

  beforeAll(async () => {
    cloudEvent('decodeProbe', (event: CloudEvent<unknown>) => {
      received.push(decodeEvent(event));
    });
    server = getTestServer('decodeProbe');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  it.each<[string, HttpRequest, DecodedEvent['kind']]>([
    ['a binary-mode storage event', binary('storage/finalized'), 'object'],
    ['a structured-mode storage event', structured('storage/finalized-numbers'), 'object'],
    ['a legacy storage background event', legacy('storage/finalized'), 'object'],
    [
      'a raw push of a JSON_API_V1 notification',
      rawPush('gcs-notification/finalize-json-api-v1'),
      'object',
    ],
    ['a raw push of a NONE notification', rawPush('gcs-notification/finalize-none'), 'pointer'],
  ])('decodes %s to the object generation', async (_, request, kind) => {
    const response = await fetch(`${url}${request.path ?? '/'}`, {
      method: 'POST',
      headers: request.headers,
      body: JSON.stringify(request.body),
    });

    expect(response.status).toBe(204);
    expect(received).toHaveLength(1);
    const [decoded] = received;
    expect(decoded?.kind).toBe(kind);
    const target =
      decoded?.kind === 'object'
        ? decoded.object
        : decoded?.kind === 'pointer'
          ? decoded.pointer
          : undefined;
    expect(target).toMatchObject(OBJECT);
  });
});
