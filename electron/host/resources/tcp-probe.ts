import { connect } from 'node:net';

/**
 * Whether something accepts TCP connections on host:port. A refused connection answers in well under a
 * millisecond on loopback, where reading /proc/net/tcp costs several: this is the quick check after a stop.
 */
export function acceptsConnections(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
