import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { type ConcurrencyError, concurrencyError, type StoreError } from '../errors.js';
import type { Snapshot } from '../event-store.js';
import { ANY, NO_STREAM } from '../expected-version.js';
import type { ExpectedSnapshotVersion, SnapshotStore } from '../snapshot-store.js';

/**
 * A {@link SnapshotStore} in process memory, for tests and local runs. Snapshots are stored as
 * JSON copies.
 *
 * @example
 * ```ts
 * const snapshots = new InMemorySnapshotStore();
 * await snapshots.put('cart-1', { version: 3, state: { items: [] }, stateVersion: 1 }, { expectedVersion: NO_STREAM });
 * ```
 */
export class InMemorySnapshotStore implements SnapshotStore {
  readonly #snapshots = new Map<string, { readonly version: number; readonly json: string }>();

  get(streamId: string): ResultAsync<Snapshot | undefined, StoreError> {
    const stored = this.#snapshots.get(streamId);
    return okAsync(stored === undefined ? undefined : (JSON.parse(stored.json) as Snapshot));
  }

  put(
    streamId: string,
    snapshot: Snapshot,
    options: { readonly expectedVersion: ExpectedSnapshotVersion },
  ): ResultAsync<void, ConcurrencyError | StoreError> {
    const current = this.#snapshots.get(streamId)?.version;
    const expected = options.expectedVersion;
    const matches =
      expected === ANY ||
      (expected === NO_STREAM ? current === undefined : (current ?? 0) === expected);
    if (!matches) {
      return errAsync(
        concurrencyError({
          streamId,
          expectedVersion: expected,
          ...(current === undefined ? {} : { actualVersion: current }),
          message: `snapshot of ${streamId} is at ${current ?? 'none'}, not at the expected ${String(expected)}`,
        }),
      );
    }
    this.#snapshots.set(streamId, { version: snapshot.version, json: JSON.stringify(snapshot) });
    return okAsync(undefined);
  }

  /** Removes every snapshot (tests). */
  clear(): void {
    this.#snapshots.clear();
  }
}
