/** What a snapshot policy sees after a command decided new events. */
export interface SnapshotContext {
  readonly streamId: string;
  /** The version of the stream's latest snapshot (undefined when it has none). */
  readonly snapshotVersion: number | undefined;
  /** The stream version after the new events. */
  readonly version: number;
  /** How many events the command appends. */
  readonly newEvents: number;
}

/** Decides whether a commit also stores a snapshot of the new state. */
export type SnapshotPolicy = (context: SnapshotContext) => boolean;

/**
 * Store a snapshot with every commit. The default: a load then reads one item, and it is what
 * stores that keep a stream "head" (the Kinesis event store) need.
 */
export const snapshotEveryCommit = (): SnapshotPolicy => () => true;

/**
 * Store a snapshot once at least `n` events have been appended since the last one.
 *
 * @example
 * ```ts
 * createCommandHandler(Product, { eventStore, snapshotPolicy: snapshotEveryNEvents(50) });
 * ```
 */
export const snapshotEveryNEvents = (n: number): SnapshotPolicy => {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`snapshotEveryNEvents needs a positive integer, got ${n}`);
  }
  return ({ snapshotVersion, version }) => version - (snapshotVersion ?? 0) >= n;
};

/** Never store snapshots: state is always rebuilt from every event. */
export const neverSnapshot = (): SnapshotPolicy => () => false;
