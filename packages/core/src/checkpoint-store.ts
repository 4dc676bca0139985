import type { ResultAsync } from 'neverthrow';
import type { ConcurrencyError, StoreError } from './errors.js';

/** How far a consumer has read one partition (a Kinesis shard, an in-memory log). */
export interface Checkpoint {
  /** An opaque position: a Kinesis sequence number, a log offset. */
  readonly position: string;
  /** ISO-8601 time of the last write. */
  readonly updatedAt: string;
}

/** Options of {@link CheckpointStore.put}. */
export interface PutCheckpointOptions {
  /**
   * The position the writer last read or wrote; `null` means "no checkpoint yet". When given and
   * the stored position differs, nothing is written and the result is a `ConcurrencyError`.
   */
  readonly expectedPosition?: string | null;
}

/**
 * Remembers, per consumer and partition, the position up to which everything was handled.
 *
 * Guarantees (checked by `checkpointStoreContract`): `get` returns the last position put; a
 * conditional `put` whose expected position is stale writes nothing; consumers are isolated.
 */
export interface CheckpointStore {
  get(consumer: string, partition: string): ResultAsync<Checkpoint | undefined, StoreError>;
  put(
    consumer: string,
    partition: string,
    position: string,
    options?: PutCheckpointOptions,
  ): ResultAsync<void, ConcurrencyError | StoreError>;
  /** Every partition's checkpoint of one consumer. */
  list(consumer: string): ResultAsync<ReadonlyMap<string, Checkpoint>, StoreError>;
}
