/**
 * The TCP relay under the e2e taps (the IRC tap in lounge-private-helpers.ts, the XMPP tap in
 * converse-tap.ts): listens on 127.0.0.1 at a random port and pipes every connection to
 * `upstreamPort` both ways, handing each chunk also to the connection's recorder. A recorder that
 * throws (a stream it cannot decode) drops that connection.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpRelay {
  /** The port to connect to instead of `upstreamPort`. */
  port: number;
  /** Connections made so far (a reconnect makes one more). */
  readonly connections: number;
  /** The network cut: every open connection is dropped and new ones are refused until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export interface ConnectionRecorder {
  /** A chunk the client sent to the server. */
  up(chunk: Buffer): void;
  /** A chunk the server sent to the client. */
  down(chunk: Buffer): void;
}

/** `recorder(conn)` is called once per connection, numbered 1, 2, 3, … */
export async function startTcpRelay(
  upstreamPort: number,
  recorder: (conn: number) => ConnectionRecorder,
): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  let conns = 0;
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const conn = ++conns;
    const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client);
    sockets.add(upstream);
    const { up, down } = recorder(conn);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (c: Buffer) => {
      try {
        up(c);
      } catch {
        end();
      }
    });
    upstream.on('data', (c: Buffer) => {
      try {
        down(c);
      } catch {
        end();
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('tap: no port');
  return {
    port: address.port,
    get connections() {
      return conns;
    },
    cut: () => {
      refusing = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore: () => {
      refusing = false;
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}
