/** Minimal Pub/Sub REST calls against the emulator (topics, push subscriptions, publish). */
export async function pubsub(
  emulatorHost: string,
  method: 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`http://${emulatorHost}/v1/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export async function createPushSubscription(
  emulatorHost: string,
  project: string,
  topic: string,
  subscription: string,
  functionUrl: string,
): Promise<void> {
  await pubsub(emulatorHost, 'PUT', `projects/${project}/topics/${topic}`);
  await pubsub(emulatorHost, 'PUT', `projects/${project}/subscriptions/${subscription}`, {
    topic: `projects/${project}/topics/${topic}`,
    // The Functions Framework takes the topic from this path when converting the push.
    pushConfig: { pushEndpoint: `${functionUrl}/projects/${project}/topics/${topic}` },
    ackDeadlineSeconds: 10,
  });
}

export async function publish(
  emulatorHost: string,
  project: string,
  topic: string,
  message: { data?: string; attributes?: Record<string, string> },
): Promise<string> {
  const answer = (await pubsub(
    emulatorHost,
    'POST',
    `projects/${project}/topics/${topic}:publish`,
    {
      messages: [message],
    },
  )) as { messageIds: string[] };
  return answer.messageIds[0] as string;
}
