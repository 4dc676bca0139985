import { connect, createServer, type Socket } from 'node:net';

/**
 * What a {@link FaultProxy} does with traffic; it can be changed at any time and applies to open
 * (keep-alive) connections from their next chunk on.
 * - `pass`: forwards both ways.
 * - `refuse`: resets connections (TCP RST) as soon as they open or send: the client sees
 *   `ECONNRESET` (the SDK's Node handler reports it as a `TimeoutError` with that `code`, which
 *   its retry strategy retries), and the request never reaches the service.
 * - `blackhole`: accepts and swallows requests, never answers: the client waits until its
 *   timeout or abort signal fires. The service sees nothing.
 * - `dropResponses`: forwards requests, then resets the connection when the answer starts: the
 *   service applied the request, the client sees `ECONNRESET` (and the SDK retries it, which is
 *   how duplicate writes happen in production).
 * - `{ kind: 'delay', delayMs }`: forwards requests after `delayMs` each (in order).
 */
export type ProxyBehaviour =
  | 'pass'
  | 'refuse'
  | 'blackhole'
  | 'dropResponses'
  | { readonly kind: 'delay'; readonly delayMs: number };

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where to forward: an endpoint URL (`http://127.0.0.1:4567`) or host and port. */
  readonly target: string | { readonly host: string; readonly port: number };
  /** Port to listen on, on 127.0.0.1 (default: a free one). */
  readonly port?: number;
  /** Behaviour from the start (default `pass`). */
  readonly behaviour?: ProxyBehaviour;
}

/** A running proxy; see {@link startFaultProxy}. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the client instead of the target's endpoint. */
  readonly endpoint: string;
  readonly port: number;
  /** Changes the behaviour for all traffic from now on. */
  set(behaviour: ProxyBehaviour): void;
  /** Resets every open connection now (clients reconnect on their next request). */
  resetConnections(): void;
  /** Connections accepted since the start. */
  connections(): number;
  /** Resets open connections and stops listening. */
  close(): Promise<void>;
}

const parseTarget = (target: FaultProxyOptions['target']) => {
  if (typeof target !== 'string') return target;
  const url = new URL(target);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return { host: url.hostname, port };
};

/**
 * Starts a TCP proxy on 127.0.0.1 in front of an emulator (or any TCP service) that can refuse,
 * swallow, delay or cut connections: network faults below the SDK, where its HTTP handler and
 * retry strategy meet them as they would in production. Middleware ({@link injectFaults}) is the
 * precise tool; the proxy checks what happens with real sockets. It does no TLS and ignores
 * back-pressure, which is fine for test traffic.
 *
 * Failure behaviour: rejects if the port cannot be bound. A target that refuses connections shows
 * up as a reset connection on the client side.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ target: kinesis.endpoint });
 * const client = new KinesisClient({ ...localClientConfig(proxy.endpoint), maxAttempts: 1 });
 * proxy.set('dropResponses');
 * await expect(client.send(putRecord)).rejects.toThrow(); // yet the record is in the stream
 * await proxy.close();
 * ```
 */
export const startFaultProxy = async (options: FaultProxyOptions): Promise<FaultProxy> => {
  const target = parseTarget(options.target);
  let behaviour: ProxyBehaviour = options.behaviour ?? 'pass';
  let accepted = 0;
  const open = new Set<Socket>();

  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  };

  const server = createServer((client) => {
    accepted += 1;
    track(client);
    client.on('error', () => undefined);
    if (behaviour === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    const cut = () => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    upstream.on('error', cut);
    client.on('error', () => upstream.destroy());
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());

    let forwarding: Promise<void> = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const current = behaviour;
      if (current === 'refuse') return cut();
      if (current === 'blackhole') return;
      const delayMs = typeof current === 'object' ? current.delayMs : 0;
      forwarding = forwarding.then(async () => {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (!upstream.destroyed) upstream.write(chunk);
      });
    });
    upstream.on('data', (chunk: Buffer) => {
      if (behaviour === 'dropResponses' || behaviour === 'refuse') return cut();
      if (!client.destroyed) client.write(chunk);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const resetConnections = () => {
    for (const socket of open) socket.resetAndDestroy();
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    set: (next) => {
      behaviour = next;
    },
    resetConnections,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve, reject) => {
        resetConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
};
