import { ok as assertOk, deepStrictEqual, equal, fail } from 'node:assert/strict';
import type { CheckpointStore } from '../checkpoint-store.js';
import { type ContractSuiteOptions, contractSuite } from './test-api.js';
import { uniqueName } from './unique-name.js';
import { unwrap } from './unwrap.js';

/** Options of {@link checkpointStoreContract}. */
export interface CheckpointStoreContractOptions extends ContractSuiteOptions {
  readonly create: () => CheckpointStore | Promise<CheckpointStore>;
}

/**
 * The behaviour every {@link CheckpointStore} must show.
 *
 * @example
 * ```ts
 * checkpointStoreContract('DynamoDBCheckpointStore', { create: () => new DynamoDBCheckpointStore({ ... }) });
 * ```
 */
export const checkpointStoreContract = (
  name: string,
  options: CheckpointStoreContractOptions,
): void => {
  contractSuite('CheckpointStore contract', name, options, (it) => {
    it('has no checkpoint before the first put', async () => {
      const store = await options.create();
      equal(await unwrap(store.get(uniqueName('consumer'), 'shard-0')), undefined);
      equal((await unwrap(store.list(uniqueName('consumer')))).size, 0);
    });

    it('returns the last position put, with the time of the write', async () => {
      const store = await options.create();
      const consumer = uniqueName('consumer');
      const before = Date.now();
      await unwrap(
        store.put(consumer, 'shard-0', '49590338271490256608559692538361571095921575989136588898'),
      );
      await unwrap(
        store.put(consumer, 'shard-0', '49590338271490256608559692538361571095921575989136588899'),
      );
      const checkpoint = await unwrap(store.get(consumer, 'shard-0'));
      equal(checkpoint?.position, '49590338271490256608559692538361571095921575989136588899');
      const updatedAt = Date.parse(checkpoint?.updatedAt ?? '');
      assertOk(updatedAt >= before - 1000 && updatedAt <= Date.now() + 1000, 'updatedAt is now');
    });

    it('writes a conditional put only when the expected position is the stored one', async () => {
      const store = await options.create();
      const consumer = uniqueName('consumer');
      await unwrap(store.put(consumer, 'p', '10', { expectedPosition: null }));
      const again = await store.put(consumer, 'p', '11', { expectedPosition: null });
      if (again.isOk()) fail('a put expecting no checkpoint should fail when one exists');
      equal(again.error.kind, 'ConcurrencyError');
      const stale = await store.put(consumer, 'p', '12', { expectedPosition: '9' });
      if (stale.isOk()) fail('a put expecting a stale position should fail');
      equal((await unwrap(store.get(consumer, 'p')))?.position, '10');
      await unwrap(store.put(consumer, 'p', '13', { expectedPosition: '10' }));
      equal((await unwrap(store.get(consumer, 'p')))?.position, '13');
    });

    it('lists the partitions of one consumer and keeps consumers apart', async () => {
      const store = await options.create();
      const one = uniqueName('one');
      const two = uniqueName('two');
      await unwrap(store.put(one, 'shard-0', '1'));
      await unwrap(store.put(one, 'shard-1', '2'));
      await unwrap(store.put(two, 'shard-0', '3'));
      const listed = await unwrap(store.list(one));
      deepStrictEqual(
        [...listed.entries()]
          .map(([partition, checkpoint]) => [partition, checkpoint.position])
          .sort(),
        [
          ['shard-0', '1'],
          ['shard-1', '2'],
        ],
      );
      equal((await unwrap(store.get(two, 'shard-0')))?.position, '3');
    });
  });
};
