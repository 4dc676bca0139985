import type { ResultAsync } from 'neverthrow';
import type { StoreError } from './errors.js';

/**
 * Remembers, per projection and stream, the last version the projection applied. Projectors
 * that write their read models elsewhere keep these positions in the same transaction.
 */
export interface ProjectionStore {
  /** The last applied version of each given stream that the projection has seen. */
  getPositions(
    projection: string,
    streamIds: readonly string[],
  ): ResultAsync<ReadonlyMap<string, number>, StoreError>;
  /** Stores new last-applied versions. */
  setPositions(
    projection: string,
    positions: ReadonlyMap<string, number>,
  ): ResultAsync<void, StoreError>;
}
