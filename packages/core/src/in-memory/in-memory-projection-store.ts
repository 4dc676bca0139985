import { okAsync, type ResultAsync } from 'neverthrow';
import type { StoreError } from '../errors.js';
import type { ProjectionStore } from '../projection-store.js';

/**
 * A {@link ProjectionStore} in process memory: the last applied version per projection and stream.
 *
 * @example
 * ```ts
 * const runner = createProjectionRunner({
 *   projections: [productList],
 *   store: new InMemoryProjectionStore(),
 *   context: undefined,
 * });
 * ```
 */
export class InMemoryProjectionStore implements ProjectionStore {
  readonly #positions = new Map<string, Map<string, number>>();

  getPositions(
    projection: string,
    streamIds: readonly string[],
  ): ResultAsync<ReadonlyMap<string, number>, StoreError> {
    const known = this.#positions.get(projection);
    const found = new Map<string, number>();
    for (const streamId of streamIds) {
      const version = known?.get(streamId);
      if (version !== undefined) found.set(streamId, version);
    }
    return okAsync(found);
  }

  setPositions(
    projection: string,
    positions: ReadonlyMap<string, number>,
  ): ResultAsync<void, StoreError> {
    let known = this.#positions.get(projection);
    if (known === undefined) {
      known = new Map();
      this.#positions.set(projection, known);
    }
    for (const [streamId, version] of positions) known.set(streamId, version);
    return okAsync(undefined);
  }
}
