import { okAsync, type ResultAsync } from 'neverthrow';
import type { StoreError } from '../errors.js';
import type { Lease, LeaseStore } from '../lease-store.js';

/**
 * A {@link LeaseStore} in process memory, for tests of consumers with several workers in one
 * process.
 *
 * @example
 * ```ts
 * const leases = new InMemoryLeaseStore();
 * const lease = await leases.acquire('projector', 'shardId-000000000000', 'worker-1', 10_000);
 * ```
 */
export class InMemoryLeaseStore implements LeaseStore {
  readonly #leases = new Map<string, Lease>();
  readonly #clock: () => Date;

  constructor(options: { readonly clock?: () => Date } = {}) {
    this.#clock = options.clock ?? (() => new Date());
  }

  #key(consumer: string, partition: string) {
    return `${consumer}\u0000${partition}`;
  }

  acquire(
    consumer: string,
    partition: string,
    owner: string,
    ttlMs: number,
  ): ResultAsync<Lease | undefined, StoreError> {
    const key = this.#key(consumer, partition);
    const current = this.#leases.get(key);
    const now = this.#clock().getTime();
    if (current !== undefined && current.owner !== owner && Date.parse(current.expiresAt) > now) {
      return okAsync(undefined);
    }
    const lease: Lease = {
      consumer,
      partition,
      owner,
      expiresAt: new Date(now + ttlMs).toISOString(),
      token: (current?.token ?? 0) + 1,
    };
    this.#leases.set(key, lease);
    return okAsync({ ...lease });
  }

  renew(lease: Lease, ttlMs: number): ResultAsync<Lease | undefined, StoreError> {
    const key = this.#key(lease.consumer, lease.partition);
    const current = this.#leases.get(key);
    if (current === undefined || current.owner !== lease.owner || current.token !== lease.token) {
      return okAsync(undefined);
    }
    const renewed: Lease = {
      ...current,
      expiresAt: new Date(this.#clock().getTime() + ttlMs).toISOString(),
      token: current.token + 1,
    };
    this.#leases.set(key, renewed);
    return okAsync({ ...renewed });
  }

  release(lease: Lease): ResultAsync<void, StoreError> {
    const key = this.#key(lease.consumer, lease.partition);
    const current = this.#leases.get(key);
    if (current !== undefined && current.owner === lease.owner && current.token === lease.token) {
      this.#leases.set(key, {
        ...current,
        expiresAt: new Date(0).toISOString(),
        token: current.token + 1,
      });
    }
    return okAsync(undefined);
  }

  list(consumer: string): ResultAsync<readonly Lease[], StoreError> {
    return okAsync(
      [...this.#leases.values()]
        .filter((lease) => lease.consumer === consumer)
        .map((lease) => ({ ...lease })),
    );
  }
}
