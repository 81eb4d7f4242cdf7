/**
 * Preloaded (`node --require`) into the Functions Framework CLI when it runs on the local
 * stack or in tests. The framework's CLI has no host option and listens on every interface;
 * locally nothing may listen beyond loopback, so a listen() without a host gets 127.0.0.1.
 * Production (Cloud Run) never loads this file.
 */
const net = require('node:net');

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  // The framework passes its --port option as a string.
  const port = args[0];
  const isPort = typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port));
  if (isPort && typeof args[1] !== 'string') {
    args.splice(1, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
