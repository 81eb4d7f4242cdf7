/**
 * The one fixed port of the local stack (the function's, `PORT`, default 8080; every other
 * server takes an ephemeral one). Checked before anything starts, so a busy port is one
 * line naming it and how to choose another, not the framework's EADDRINUSE stack trace.
 */
import { createServer } from 'node:net';
import { StartProblem } from './start-problem';

/** `PORT` as a number, refused when it is not a port or something already listens on it. */
export async function functionPort(env: NodeJS.ProcessEnv): Promise<number> {
  const text = env.PORT || '8080';
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new StartProblem(
      `PORT=${text} is not a port number (1-65535); choose one, e.g. PORT=8081 npm start`,
    );
  }
  const busy = await inUse(port);
  if (busy) {
    throw new StartProblem(
      `port ${port} (the function, PORT) is already in use on 127.0.0.1 (${busy}): stop what listens there, or choose another port, e.g. PORT=${port === 65535 ? 8081 : port + 1} npm start`,
    );
  }
  return port;
}

/** The error code when 127.0.0.1:port cannot be listened on, else undefined. */
function inUse(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(undefined)));
  });
}
