import { createServer } from 'node:net';

/** Asks the OS for a free TCP port on 127.0.0.1. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** Polls `check` until it resolves true or `timeoutMs` passes; rejects with `describe()` then. */
export const waitUntil = async (
  check: () => Promise<boolean>,
  options: { readonly timeoutMs: number; readonly intervalMs?: number; readonly what: string },
): Promise<void> => {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`${options.what} did not become ready within ${options.timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
};
