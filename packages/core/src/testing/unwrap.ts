import { fail } from 'node:assert/strict';
import type { Result } from 'neverthrow';

/**
 * Awaits a `Result` (or `ResultAsync`) and returns its value, failing the test with the error's
 * message when it is an error.
 *
 * @example
 * ```ts
 * const loaded = await unwrap(eventStore.load('cart-1'));
 * ```
 */
export const unwrap = async <T, E>(
  result: Result<T, E> | PromiseLike<Result<T, E>>,
): Promise<T> => {
  const settled = await result;
  if (settled.isErr()) {
    const error = settled.error as { kind?: string; message?: string };
    fail(
      `expected success, got ${error.kind ?? 'error'}: ${error.message ?? String(settled.error)}`,
    );
  }
  return settled.value;
};

/**
 * Awaits a `Result` and returns its error, failing the test when it is a success.
 *
 * @example
 * ```ts
 * const error = await unwrapErr(handler.handle('p-1', command));
 * expect(error.kind).toBe('DomainError');
 * ```
 */
export const unwrapErr = async <T, E>(
  result: Result<T, E> | PromiseLike<Result<T, E>>,
): Promise<E> => {
  const settled = await result;
  if (settled.isOk()) fail(`expected an error, got success: ${JSON.stringify(settled.value)}`);
  return settled.error;
};
