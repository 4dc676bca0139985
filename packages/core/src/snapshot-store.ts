import type { ResultAsync } from 'neverthrow';
import type { ConcurrencyError, StoreError } from './errors.js';
import type { Snapshot } from './event-store.js';
import type { ANY, NO_STREAM } from './expected-version.js';

/**
 * The version of the stored snapshot a writer expects: its stream version, {@link NO_STREAM}
 * (no snapshot yet) or {@link ANY}.
 */
export type ExpectedSnapshotVersion = number | typeof NO_STREAM | typeof ANY;

/**
 * Keeps one snapshot (the "head") per stream, written conditionally.
 *
 * Guarantees (checked by `snapshotStoreContract`): `get` returns the last snapshot put; `put`
 * with an expected version that does not match the stored one writes nothing and fails with a
 * `ConcurrencyError`.
 */
export interface SnapshotStore {
  get(streamId: string): ResultAsync<Snapshot | undefined, StoreError>;
  put(
    streamId: string,
    snapshot: Snapshot,
    options: { readonly expectedVersion: ExpectedSnapshotVersion },
  ): ResultAsync<void, ConcurrencyError | StoreError>;
}
