import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export interface ConnectionInfo {
  id: number;
  remotePort: number;
  openedAt: number;
  /** performance.now() when the socket closed; null while open. */
  closedAt: number | null;
  requests: number;
}

export interface ConnectionEvents {
  open: [ConnectionInfo];
  close: [ConnectionInfo];
}

/** Every TCP connection the server accepted: a test can count open ones and await the moment one closes. */
export class ConnectionTracker extends EventEmitter<ConnectionEvents> {
  private readonly sockets = new Map<Socket, ConnectionInfo>();
  private nextId = 1;
  private total = 0;

  track(socket: Socket): ConnectionInfo {
    const info: ConnectionInfo = {
      id: this.nextId++,
      remotePort: socket.remotePort ?? 0,
      openedAt: performance.now(),
      closedAt: null,
      requests: 0,
    };
    this.sockets.set(socket, info);
    this.total++;
    // Node's http server allows half-open sockets and would notice a client's FIN only at its next write;
    // Ollama (Go) watches the connection and cancels the request at once, so do the same.
    socket.once('end', () => socket.destroy());
    socket.once('close', () => {
      info.closedAt = performance.now();
      this.sockets.delete(socket);
      this.emit('close', info);
    });
    this.emit('open', info);
    return info;
  }

  infoOf(socket: Socket): ConnectionInfo | undefined {
    return this.sockets.get(socket);
  }

  get openCount(): number {
    return this.sockets.size;
  }

  get acceptedCount(): number {
    return this.total;
  }

  /** Resolves with the next connection to close (optionally one matching `filter`). */
  nextClose(filter: (info: ConnectionInfo) => boolean = () => true): Promise<ConnectionInfo> {
    return new Promise((resolve) => {
      const onClose = (info: ConnectionInfo) => {
        if (!filter(info)) return;
        this.off('close', onClose);
        resolve(info);
      };
      this.on('close', onClose);
    });
  }

  /** Destroys every open socket; resolves once each has emitted 'close'. */
  async destroyAll(): Promise<void> {
    const closing = [...this.sockets.keys()].map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.closed) return resolve();
          socket.once('close', () => resolve());
          socket.destroy();
        }),
    );
    await Promise.all(closing);
  }
}
