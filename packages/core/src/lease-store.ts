import type { ResultAsync } from 'neverthrow';
import type { StoreError } from './errors.js';

/**
 * A worker's exclusive, expiring claim on one partition (a Kinesis shard) of a consumer. Workers
 * renew their leases well before `expiresAt`; a lease not renewed in time may be taken by another
 * worker (that is how a dead worker's shards move on).
 *
 * @example
 * ```ts
 * const lease = await leases.acquire('projector', shardId, workerId, 30_000);
 * if (lease.isOk() && lease.value !== undefined) await leases.renew(lease.value, 30_000);
 * ```
 */
export interface Lease {
  readonly consumer: string;
  readonly partition: string;
  readonly owner: string;
  /** ISO-8601 time after which another worker may take the lease. */
  readonly expiresAt: string;
  /** Grows with every take and renewal: a fencing token for writes made under the lease. */
  readonly token: number;
}

/**
 * Leases for consumers that share a stream's partitions among several workers.
 *
 * Guarantees (checked by `leaseStoreContract`): at most one owner holds an unexpired lease;
 * taking an expired lease or renewing one's own is a conditional write that fails for everyone
 * but one concurrent caller.
 *
 * @example
 * ```ts
 * const leases: LeaseStore = new DynamoDBLeaseStore({ client, tableName: 'consumers' });
 * ```
 */
export interface LeaseStore {
  /**
   * Takes the lease of a partition if nobody holds it, it has expired, or `owner` holds it
   * already. Returns the lease, or `undefined` when another owner holds it.
   */
  acquire(
    consumer: string,
    partition: string,
    owner: string,
    ttlMs: number,
  ): ResultAsync<Lease | undefined, StoreError>;
  /** Extends a lease its owner still holds; `undefined` when it was lost (taken or changed). */
  renew(lease: Lease, ttlMs: number): ResultAsync<Lease | undefined, StoreError>;
  /** Gives a lease up, so another worker may take it at once. Not an error if it was lost. */
  release(lease: Lease): ResultAsync<void, StoreError>;
  /** Every lease of a consumer, expired or not. */
  list(consumer: string): ResultAsync<readonly Lease[], StoreError>;
}
