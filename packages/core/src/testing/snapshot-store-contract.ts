import { deepStrictEqual, equal, fail } from 'node:assert/strict';
import { ANY, NO_STREAM } from '../expected-version.js';
import type { SnapshotStore } from '../snapshot-store.js';
import { type ContractSuiteOptions, contractSuite } from './test-api.js';
import { uniqueName } from './unique-name.js';
import { unwrap } from './unwrap.js';

/** Options of {@link snapshotStoreContract}. */
export interface SnapshotStoreContractOptions extends ContractSuiteOptions {
  readonly create: () => SnapshotStore | Promise<SnapshotStore>;
}

/**
 * The behaviour every {@link SnapshotStore} must show: last write wins only through matching
 * conditions.
 *
 * @example
 * ```ts
 * snapshotStoreContract('DynamoDBSnapshotStore', { create: () => new DynamoDBSnapshotStore({ ... }) });
 * ```
 */
export const snapshotStoreContract = (
  name: string,
  options: SnapshotStoreContractOptions,
): void => {
  contractSuite('SnapshotStore contract', name, options, (it) => {
    it('returns undefined for a stream without a snapshot', async () => {
      const store = await options.create();
      equal(await unwrap(store.get(uniqueName('none'))), undefined);
    });

    it('stores and returns a snapshot, state intact', async () => {
      const store = await options.create();
      const streamId = uniqueName('snap');
      const snapshot = {
        version: 7,
        state: { name: 'Mug', price: 12.5, tags: ['a', 'b'], nested: { ok: true, none: null } },
        stateVersion: 3,
      };
      await unwrap(store.put(streamId, snapshot, { expectedVersion: NO_STREAM }));
      deepStrictEqual(await unwrap(store.get(streamId)), snapshot);
    });

    it('writes only when the expected version matches the stored one', async () => {
      const store = await options.create();
      const streamId = uniqueName('cond');
      await unwrap(
        store.put(
          streamId,
          { version: 1, state: 'one', stateVersion: 1 },
          { expectedVersion: NO_STREAM },
        ),
      );
      for (const expected of [NO_STREAM, 0, 2] as const) {
        const result = await store.put(
          streamId,
          { version: 9, state: 'stale', stateVersion: 1 },
          { expectedVersion: expected },
        );
        if (result.isOk()) fail(`put at expected ${String(expected)} should have failed`);
        equal(result.error.kind, 'ConcurrencyError');
      }
      deepStrictEqual(await unwrap(store.get(streamId)), {
        version: 1,
        state: 'one',
        stateVersion: 1,
      });
      await unwrap(
        store.put(
          streamId,
          { version: 3, state: 'three', stateVersion: 1 },
          { expectedVersion: 1 },
        ),
      );
      await unwrap(
        store.put(
          streamId,
          { version: 4, state: 'four', stateVersion: 1 },
          { expectedVersion: ANY },
        ),
      );
      deepStrictEqual(await unwrap(store.get(streamId)), {
        version: 4,
        state: 'four',
        stateVersion: 1,
      });
    });

    it('lets one of several concurrent conditional puts win', async () => {
      const store = await options.create();
      const streamId = uniqueName('race');
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          store.put(
            streamId,
            { version: index + 1, state: index, stateVersion: 1 },
            { expectedVersion: NO_STREAM },
          ),
        ),
      );
      equal(results.filter((result) => result.isOk()).length, 1);
    });

    it('keeps streams apart', async () => {
      const store = await options.create();
      const a = uniqueName('a');
      const b = uniqueName('b');
      await unwrap(
        store.put(a, { version: 1, state: 'a', stateVersion: 1 }, { expectedVersion: NO_STREAM }),
      );
      await unwrap(
        store.put(b, { version: 2, state: 'b', stateVersion: 1 }, { expectedVersion: NO_STREAM }),
      );
      equal((await unwrap(store.get(a)))?.state, 'a');
      equal((await unwrap(store.get(b)))?.state, 'b');
    });
  });
};
