import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalEmulator } from './local-emulator.js';

/**
 * Listens with an in-process emulator's HTTP server on 127.0.0.1 and wraps it as a
 * {@link LocalEmulator} whose `stop()` closes open keep-alive connections too.
 */
export const listenInProcess = async (
  name: string,
  server: Server,
  port = 0,
): Promise<LocalEmulator> => {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    name,
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        // dynalite calls back with null, kinesalite with undefined: neither is an error here.
        server.close(() => resolve());
      });
      return stopped;
    },
  };
};
