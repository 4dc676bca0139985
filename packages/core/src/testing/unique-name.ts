import { randomBytes } from 'node:crypto';

/**
 * A name no other test in this run (or a parallel run against the same backend) uses: for
 * streams, tables, consumers and databases, so tests can share one emulator or server.
 *
 * @example
 * ```ts
 * const streamId = uniqueName('cart'); // "cart-m3x1k2-9f3a1c"
 * ```
 */
export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
