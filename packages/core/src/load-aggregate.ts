import { err, ok, type Result, type ResultAsync } from 'neverthrow';
import type { Aggregate } from './aggregate.js';
import { type StoreError, storeError } from './errors.js';
import type { EventStore, LoadedStream, Snapshot } from './event-store.js';

/** An aggregate's state rebuilt from a loaded stream. */
export interface AggregateState<State> {
  readonly streamId: string;
  readonly state: State;
  /** The stream's version (0 when it does not exist). */
  readonly version: number;
  /** The version of the snapshot the state started from (undefined when there was none). */
  readonly snapshotVersion: number | undefined;
}

const stateFromSnapshot = <State>(
  aggregate: Aggregate<State>,
  streamId: string,
  snapshot: Snapshot,
): Result<State, StoreError> => {
  const where = { streamId, version: snapshot.version };
  let encoded = snapshot.state;
  if (snapshot.stateVersion > aggregate.stateVersion) {
    return err(
      storeError(
        'SnapshotFromNewerCode',
        `snapshot of ${streamId}@${snapshot.version} has stateVersion ${snapshot.stateVersion}, newer than ${aggregate.name}'s stateVersion ${aggregate.stateVersion}: this code is older than the code that wrote it`,
        where,
      ),
    );
  }
  if (snapshot.stateVersion < aggregate.stateVersion) {
    if (aggregate.migrateState === undefined) {
      return err(
        storeError(
          'SnapshotOutdated',
          `snapshot of ${streamId}@${snapshot.version} has stateVersion ${snapshot.stateVersion}, ${aggregate.name} is at ${aggregate.stateVersion} and has no migrateState: rebuild the snapshot from events`,
          where,
        ),
      );
    }
    try {
      encoded = aggregate.migrateState(encoded, snapshot.stateVersion);
    } catch (cause) {
      return err(
        storeError(
          'InvalidSnapshot',
          `migrating the snapshot of ${streamId}@${snapshot.version} from stateVersion ${snapshot.stateVersion} threw: ${String(cause)}`,
          { ...where, cause },
        ),
      );
    }
  }
  const decoded = aggregate.stateCodec.decode(encoded);
  if (decoded._tag === 'Left') {
    return err(
      storeError(
        'InvalidSnapshot',
        `snapshot of ${streamId}@${snapshot.version} does not match ${aggregate.name}'s state codec`,
        { ...where, cause: decoded.left },
      ),
    );
  }
  return ok(decoded.right);
};

/**
 * Rebuilds an aggregate's state from a loaded stream: the snapshot (checked against the
 * aggregate's `stateVersion`, migrated if older) and then every later event, upcast and decoded.
 */
export const rehydrate = <State>(
  aggregate: Aggregate<State>,
  loaded: LoadedStream,
): Result<AggregateState<State>, StoreError> => {
  const start =
    loaded.snapshot === undefined
      ? ok(aggregate.initialState)
      : stateFromSnapshot(aggregate, loaded.streamId, loaded.snapshot);
  return start.andThen((initial) =>
    aggregate.registry.decodeAll(loaded.events).map((events) => {
      let state = initial;
      for (const event of events) state = aggregate.evolve(state, event);
      return {
        streamId: loaded.streamId,
        state,
        version: loaded.version,
        snapshotVersion: loaded.snapshot?.version,
      };
    }),
  );
};

/**
 * Loads a stream and rebuilds the aggregate's state.
 *
 * @example
 * ```ts
 * const product = await loadAggregate(eventStore, Product, 'product-42');
 * if (product.isOk()) console.log(product.value.state.stock);
 * ```
 */
export const loadAggregate = <State>(
  eventStore: EventStore,
  aggregate: Aggregate<State>,
  streamId: string,
): ResultAsync<AggregateState<State>, StoreError> =>
  eventStore.load(streamId).andThen((loaded) => rehydrate(aggregate, loaded));
