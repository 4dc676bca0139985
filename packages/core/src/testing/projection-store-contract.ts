import { deepStrictEqual, equal } from 'node:assert/strict';
import type { ProjectionStore } from '../projection-store.js';
import { type ContractSuiteOptions, contractSuite } from './test-api.js';
import { uniqueName } from './unique-name.js';
import { unwrap } from './unwrap.js';

/** Options of {@link projectionStoreContract}. */
export interface ProjectionStoreContractOptions extends ContractSuiteOptions {
  readonly create: () => ProjectionStore | Promise<ProjectionStore>;
}

/**
 * The behaviour every {@link ProjectionStore} must show: positions per projection and stream,
 * returned only for the streams asked about, updated in bulk.
 *
 * @example
 * ```ts
 * projectionStoreContract('KyselyProjectionStore', { create: () => kyselyProjectionStore(db) });
 * ```
 */
export const projectionStoreContract = (
  name: string,
  options: ProjectionStoreContractOptions,
): void => {
  contractSuite('ProjectionStore contract', name, options, (it) => {
    it('knows no position before the first write', async () => {
      const store = await options.create();
      const positions = await unwrap(store.getPositions(uniqueName('projection'), ['a', 'b']));
      equal(positions.size, 0);
    });

    it('returns the positions written, only for the streams asked about', async () => {
      const store = await options.create();
      const projection = uniqueName('projection');
      await unwrap(
        store.setPositions(
          projection,
          new Map([
            ['a', 3],
            ['b', 7],
            ['c', 1],
          ]),
        ),
      );
      const positions = await unwrap(store.getPositions(projection, ['a', 'c', 'missing']));
      deepStrictEqual([...positions.entries()].sort(), [
        ['a', 3],
        ['c', 1],
      ]);
      await unwrap(store.setPositions(projection, new Map([['a', 4]])));
      deepStrictEqual(
        [...(await unwrap(store.getPositions(projection, ['a', 'b']))).entries()].sort(),
        [
          ['a', 4],
          ['b', 7],
        ],
      );
    });

    it('keeps projections apart', async () => {
      const store = await options.create();
      const one = uniqueName('one');
      const two = uniqueName('two');
      await unwrap(store.setPositions(one, new Map([['s', 1]])));
      await unwrap(store.setPositions(two, new Map([['s', 9]])));
      equal((await unwrap(store.getPositions(one, ['s']))).get('s'), 1);
      equal((await unwrap(store.getPositions(two, ['s']))).get('s'), 9);
    });

    it('reads and writes many streams in one call', async () => {
      const store = await options.create();
      const projection = uniqueName('bulk');
      const streams = Array.from({ length: 1_000 }, (_, index) => `stream-${index}`);
      await unwrap(
        store.setPositions(projection, new Map(streams.map((id, index) => [id, index + 1]))),
      );
      const positions = await unwrap(store.getPositions(projection, streams));
      equal(positions.size, 1_000);
      equal(positions.get('stream-999'), 1_000);
    });
  });
};
