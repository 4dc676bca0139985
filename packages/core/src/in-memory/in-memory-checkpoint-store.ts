import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { Checkpoint, CheckpointStore, PutCheckpointOptions } from '../checkpoint-store.js';
import { type ConcurrencyError, concurrencyError, type StoreError } from '../errors.js';

/**
 * A {@link CheckpointStore} in process memory.
 *
 * @example
 * ```ts
 * const checkpoints = new InMemoryCheckpointStore();
 * await checkpoints.put('projector', 'shard-0', '42', { expectedPosition: null });
 * ```
 */
export class InMemoryCheckpointStore implements CheckpointStore {
  readonly #consumers = new Map<string, Map<string, Checkpoint>>();
  readonly #clock: () => Date;

  constructor(options: { readonly clock?: () => Date } = {}) {
    this.#clock = options.clock ?? (() => new Date());
  }

  get(consumer: string, partition: string): ResultAsync<Checkpoint | undefined, StoreError> {
    return okAsync(this.#consumers.get(consumer)?.get(partition));
  }

  put(
    consumer: string,
    partition: string,
    position: string,
    options: PutCheckpointOptions = {},
  ): ResultAsync<void, ConcurrencyError | StoreError> {
    let partitions = this.#consumers.get(consumer);
    const current = partitions?.get(partition)?.position ?? null;
    if (options.expectedPosition !== undefined && options.expectedPosition !== current) {
      return errAsync(
        concurrencyError({
          streamId: `${consumer}/${partition}`,
          expectedVersion: options.expectedPosition ?? 'none',
          message: `checkpoint of ${consumer}/${partition} is at ${current ?? 'none'}, not at the expected ${options.expectedPosition ?? 'none'}`,
        }),
      );
    }
    if (partitions === undefined) {
      partitions = new Map();
      this.#consumers.set(consumer, partitions);
    }
    partitions.set(partition, { position, updatedAt: this.#clock().toISOString() });
    return okAsync(undefined);
  }

  list(consumer: string): ResultAsync<ReadonlyMap<string, Checkpoint>, StoreError> {
    return okAsync(new Map(this.#consumers.get(consumer)));
  }
}
