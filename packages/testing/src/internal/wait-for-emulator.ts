import type { ManagedProcess } from './child-processes.js';
import { waitUntil } from './free-port.js';

/**
 * Waits until a child-process emulator answers `probe`, failing at once (with its output) if the
 * process exits first, and stopping it when it never becomes ready.
 */
export const waitForEmulator = async (
  child: ManagedProcess,
  probe: () => Promise<unknown>,
  options: { readonly timeoutMs: number; readonly what: string },
): Promise<void> => {
  let ready = false;
  const exitedEarly = child.exited.then((code) => {
    if (!ready) {
      throw new Error(
        `${options.what} exited with code ${code} before it answered:\n${child.output()}`,
      );
    }
  });
  try {
    await Promise.race([
      waitUntil(
        async () => {
          await probe();
          return true;
        },
        { timeoutMs: options.timeoutMs, intervalMs: 100, what: options.what },
      ),
      exitedEarly,
    ]);
    ready = true;
  } catch (error) {
    ready = true;
    await child.stop();
    const output = child.output();
    throw new Error(`${(error as Error).message}${output === '' ? '' : `\n${output}`}`);
  }
};
