import { ok as assertOk, deepStrictEqual, equal, fail } from 'node:assert/strict';
import type { Lease, LeaseStore } from '../lease-store.js';
import { type ContractSuiteOptions, contractSuite } from './test-api.js';
import { uniqueName } from './unique-name.js';
import { unwrap } from './unwrap.js';

/** Options of {@link leaseStoreContract}. */
export interface LeaseStoreContractOptions extends ContractSuiteOptions {
  /**
   * Creates the store under test; called once per test. The store must read the time only from
   * `clock`: the suite moves that clock forward to expire leases without sleeping. Consumers are
   * unique per test, so stores may share one table or backend.
   */
  readonly create: (clock: () => Date) => LeaseStore | Promise<LeaseStore>;
}

const TTL_MS = 10_000;

/** A clock the suite controls: it only moves when a test moves it. */
const manualClock = () => {
  let now = Date.now();
  return {
    clock: () => new Date(now),
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
};

const held = (lease: Lease | undefined, what: string): Lease => {
  if (lease === undefined) fail(`expected ${what} to return a lease, got undefined`);
  return lease;
};

const expiresAt = (now: number, ttlMs = TTL_MS) => new Date(now + ttlMs).toISOString();

/**
 * The behaviour every {@link LeaseStore} must show: a free or expired lease is taken, a held one
 * is refused to other owners, tokens grow with every take and renewal, a stale lease can neither
 * renew nor release, and of N concurrent takers exactly one wins.
 *
 * The factory receives the clock the store must use (`create: (clock) => store`); the suite
 * advances it to expire leases, so no test sleeps. Leases are compared by `expiresAt`, which must
 * be exactly the clock's time plus the TTL, as an ISO-8601 string.
 *
 * @example
 * ```ts
 * leaseStoreContract('DynamoDBLeaseStore', {
 *   create: (clock) => new DynamoDBLeaseStore({ client, tableName: 'consumers', clock }),
 * });
 * ```
 */
export const leaseStoreContract = (name: string, options: LeaseStoreContractOptions): void => {
  contractSuite('LeaseStore contract', name, options, (it) => {
    it('takes a free lease, with the clock time plus the TTL as expiry', async () => {
      const time = manualClock();
      const store = await options.create(time.clock);
      const consumer = uniqueName('consumer');
      equal((await unwrap(store.list(consumer))).length, 0);
      const lease = held(
        await unwrap(store.acquire(consumer, 'shard-0', 'worker-a', TTL_MS)),
        'acquiring a free lease',
      );
      equal(lease.consumer, consumer);
      equal(lease.partition, 'shard-0');
      equal(lease.owner, 'worker-a');
      equal(lease.expiresAt, expiresAt(time.now()));
      assertOk(Number.isSafeInteger(lease.token) && lease.token > 0, 'token is a positive integer');
      deepStrictEqual(await unwrap(store.list(consumer)), [lease]);
    });

    it('refuses a held, unexpired lease to another owner', async () => {
      const time = manualClock();
      const store = await options.create(time.clock);
      const consumer = uniqueName('consumer');
      const lease = held(
        await unwrap(store.acquire(consumer, 'shard-0', 'worker-a', TTL_MS)),
        'acquiring a free lease',
      );
      equal(await unwrap(store.acquire(consumer, 'shard-0', 'worker-b', TTL_MS)), undefined);
      time.advance(TTL_MS - 1);
      equal(await unwrap(store.acquire(consumer, 'shard-0', 'worker-b', TTL_MS)), undefined);
      deepStrictEqual(await unwrap(store.list(consumer)), [lease]);
    });

    it('lets another owner steal an expired lease, with a larger token', async () => {
      const time = manualClock();
      const store = await options.create(time.clock);
      const consumer = uniqueName('consumer');
      const old = held(
        await unwrap(store.acquire(consumer, 'shard-0', 'worker-a', TTL_MS)),
        'acquiring a free lease',
      );
      time.advance(TTL_MS + 1);
      const stolen = held(
        await unwrap(store.acquire(consumer, 'shard-0', 'worker-b', TTL_MS)),
        'acquiring an expired lease',
      );
      equal(stolen.owner, 'worker-b');
      equal(stolen.expiresAt, expiresAt(time.now()));
      assertOk(stolen.token > old.token, 'the token grows when the lease changes hands');
      // The old owner's lease is gone: it can neither renew nor release it.
      equal(await unwrap(store.renew(old, TTL_MS)), undefined);
      await unwrap(store.release(old));
      deepStrictEqual(await unwrap(store.list(consumer)), [stolen]);
      equal(await unwrap(store.acquire(consumer, 'shard-0', 'worker-a', TTL_MS)), undefined);
    });

    it('lets an owner acquire its own lease again, extending it', async () => {
      const time = manualClock();
      const store = await options.create(time.clock);
      const consumer = uniqueName('consumer');
      const first = held(
        await unwrap(store.acquire(consumer, 'shard-0', 'worker-a', TTL_MS)),
        'acquiring a free lease',
      );
      time.advance(1_000);
      const again = held(
        await unwrap(store.acquire(consumer, 'shard-0', 'worker-a', 2 * TTL_MS)),
        'acquiring an own lease',
      );
      equal(again.owner, 'worker-a');
      equal(again.expiresAt, expiresAt(time.now(), 2 * TTL_MS));
      assertOk(again.token > first.token, 'the token grows with every take');
      deepStrictEqual(await unwrap(store.list(consumer)), [again]);
    });

    it('renews only the current lease of its owner', async () => {
      const time = manualClock();
      const store = await options.create(time.clock);
      const consumer = uniqueName('consumer');
      const lease = held(
        await unwrap(store.acquire(consumer, 'shard-0', 'worker-a', TTL_MS)),
        'acquiring a free lease',
      );
      time.advance(TTL_MS / 2);
      const renewed = held(await unwrap(store.renew(lease, TTL_MS)), 'renewing a held lease');
      equal(renewed.owner, 'worker-a');
      equal(renewed.expiresAt, expiresAt(time.now()));
      assertOk(renewed.token > lease.token, 'the token grows with every renewal');
      // The renewal keeps others out past the first expiry.
      time.advance(TTL_MS / 2 + 1);
      equal(await unwrap(store.acquire(consumer, 'shard-0', 'worker-b', TTL_MS)), undefined);
      // A stale token (the lease before the renewal) and another owner's forgery both fail.
      equal(await unwrap(store.renew(lease, TTL_MS)), undefined);
      equal(await unwrap(store.renew({ ...renewed, owner: 'worker-b' }, TTL_MS)), undefined);
      equal(
        await unwrap(store.renew({ ...renewed, partition: 'shard-never-taken' }, TTL_MS)),
        undefined,
      );
      deepStrictEqual(await unwrap(store.list(consumer)), [renewed]);
      // A lease that expired but was not taken by anyone may still be renewed by its owner.
      time.advance(2 * TTL_MS);
      const late = held(await unwrap(store.renew(renewed, TTL_MS)), 'renewing an expired lease');
      equal(late.expiresAt, expiresAt(time.now()));
    });

    it('releases a lease so that another owner takes it at once', async () => {
      const time = manualClock();
      const store = await options.create(time.clock);
      const consumer = uniqueName('consumer');
      const lease = held(
        await unwrap(store.acquire(consumer, 'shard-0', 'worker-a', TTL_MS)),
        'acquiring a free lease',
      );
      await unwrap(store.release(lease));
      equal(await unwrap(store.renew(lease, TTL_MS)), undefined);
      const taken = held(
        await unwrap(store.acquire(consumer, 'shard-0', 'worker-b', TTL_MS)),
        'acquiring a released lease',
      );
      equal(taken.owner, 'worker-b');
      assertOk(taken.token > lease.token, 'the token grows when the lease changes hands');
      // Releasing a lease that was lost is not an error, and leaves the new owner's lease alone.
      await unwrap(store.release(lease));
      deepStrictEqual(await unwrap(store.list(consumer)), [taken]);
    });

    it('gives a contended lease to exactly one of N concurrent owners', async () => {
      const time = manualClock();
      const store = await options.create(time.clock);
      const consumer = uniqueName('consumer');
      const owners = Array.from({ length: 8 }, (_, index) => `worker-${index}`);
      const race = async (partition: string) => {
        const results = await Promise.all(
          owners.map((owner) => unwrap(store.acquire(consumer, partition, owner, TTL_MS))),
        );
        const winners = results.filter((lease): lease is Lease => lease !== undefined);
        equal(winners.length, 1, `exactly one owner wins ${partition}`);
        return held(winners[0], 'the winner');
      };
      const free = await race('shard-free');
      time.advance(TTL_MS + 1);
      // Every owner also races for the now expired lease: again exactly one wins.
      const expired = await race('shard-free');
      assertOk(expired.token > free.token, 'the token grows when the lease is taken again');
      deepStrictEqual(await unwrap(store.list(consumer)), [expired]);
    });

    it('lists every lease of a consumer, expired or not, and keeps consumers apart', async () => {
      const time = manualClock();
      const store = await options.create(time.clock);
      const consumer = uniqueName('consumer');
      const other = uniqueName('other');
      const leases = [
        held(await unwrap(store.acquire(consumer, 'shard-0', 'worker-a', TTL_MS)), 'shard-0'),
        held(await unwrap(store.acquire(consumer, 'shard-1', 'worker-b', 3 * TTL_MS)), 'shard-1'),
        held(await unwrap(store.acquire(consumer, 'shard-2', 'worker-a', TTL_MS)), 'shard-2'),
      ];
      const elsewhere = held(
        await unwrap(store.acquire(other, 'shard-0', 'worker-c', TTL_MS)),
        'another consumer’s shard-0',
      );
      time.advance(TTL_MS + 1);
      const byPartition = (list: readonly Lease[]) =>
        [...list].sort((a, b) => a.partition.localeCompare(b.partition));
      deepStrictEqual(byPartition(await unwrap(store.list(consumer))), leases);
      deepStrictEqual(await unwrap(store.list(other)), [elsewhere]);
      equal((await unwrap(store.list(uniqueName('nobody')))).length, 0);
    });
  });
};
