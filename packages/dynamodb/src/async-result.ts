import { err, ok, type Result, ResultAsync } from '@tributary/core';

/**
 * Runs an async call and turns its outcome into a `ResultAsync`: a rejection goes through
 * `onError`, which returns the error value, or rethrows what must not become a value.
 */
export const attempt = <T, E>(
  run: () => Promise<T>,
  onError: (error: unknown) => Result<T, E>,
): ResultAsync<T, E> =>
  new ResultAsync(
    (async (): Promise<Result<T, E>> => {
      try {
        return ok(await run());
      } catch (error) {
        return onError(error);
      }
    })(),
  );

/** `attempt` whose failures are always errors. */
export const attemptOrFail = <T, E>(
  run: () => Promise<T>,
  toError: (error: unknown) => E,
): ResultAsync<T, E> => attempt(run, (error) => err(toError(error)));
