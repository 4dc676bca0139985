import type { ResultAsync } from 'neverthrow';
import type { AppliedCommand, Commit } from './commit.js';
import type { StoreError } from './errors.js';
import type { Snapshot } from './event-store.js';
import type { SnapshotStore } from './snapshot-store.js';

/**
 * A stream's head, as an event store that publishes commits to a log (Kinesis) keeps it: the
 * version and the state after it, the last commit while it is not yet published, and the
 * command ids applied recently (for idempotency).
 *
 * @example
 * ```ts
 * const head = await heads.getHead('cart-1');
 * if (head.isOk() && head.value?.pending !== undefined) await publish(head.value.pending);
 * ```
 */
export interface StreamHead {
  readonly streamId: string;
  /** The stream's version: the `toVersion` of its last commit. */
  readonly version: number;
  /** The state after `version` (its `version` equals the head's). */
  readonly snapshot?: Snapshot;
  /** The last commit, present from its head write until it is acknowledged as published. */
  readonly pending?: Commit;
  /** ISO-8601 time the pending commit was written; what a sweeper's index is sorted by. */
  readonly pendingSince?: string;
  /** The log position (Kinesis sequence number) of the last published commit. */
  readonly lastPosition?: string;
  /**
   * The id of the first event of the last commit written to the head: lets a writer whose
   * answer was lost (and whose retry then failed its condition) recognise its own write.
   */
  readonly lastCommitId?: string;
  /** Commands applied to this stream recently, oldest first. */
  readonly recentCommands: readonly AppliedCommand[];
}

/** One conditional head write: the new commit becomes the head's pending commit. *
 * @example
 * ```ts
 * await heads.writeHead('cart-1', { expectedVersion: 3, commit, snapshot: { state, stateVersion: 1 } });
 * ```
 */
export interface HeadWrite {
  /** The head's version the writer saw (0: the head must not exist yet). */
  readonly expectedVersion: number;
  /** The commit; the head moves to `commit.toVersion`. */
  readonly commit: Commit;
  /** The state after the commit. */
  readonly snapshot: Omit<Snapshot, 'version'>;
}

/**
 * A head write's condition failed: the head is not at the expected version, has an unpublished
 * commit, or has already applied the commit's command id. `current` is the head as the store
 * found it (without a second read), so the writer can tell which.
 *
 * @example
 * ```ts
 * const written = await heads.writeHead(streamId, write);
 * if (written.isErr() && written.error.kind === 'HeadConflict') console.log(written.error.current?.version);
 * ```
 */
export interface HeadConflict {
  readonly kind: 'HeadConflict';
  readonly message: string;
  readonly streamId: string;
  readonly current: StreamHead | undefined;
}

/** Options of {@link StreamHeadStore.acknowledge}, e.g. `{ forgetCommands: ['cmd-1'] }`. */
export interface AcknowledgeOptions {
  /** Command ids to forget (the oldest, beyond the store's limit) in the same write. */
  readonly forgetCommands?: readonly string[];
}

/** Options of {@link StreamHeadStore.listPending}, e.g. `{ minAgeMs: 5_000, limit: 100 }`. */
export interface ListPendingOptions {
  /** Only heads whose commit has been pending at least this long (default 0). */
  readonly minAgeMs?: number;
  /** At most this many heads (default: all). */
  readonly limit?: number;
}

/**
 * The port of the heads behind a log-publishing event store (architecture, section 4). A
 * head write is one conditional write; several are one transaction; acknowledging removes the
 * pending commit once it is published. Also a {@link SnapshotStore} over the same heads.
 *
 * @example
 * ```ts
 * const heads: StreamHeadStore = new DynamoDBStreamHeadStore({ client, tableName: 'heads' });
 * const eventStore = new KinesisEventStore({ kinesis, streamName: 'events', heads });
 * ```
 */
export interface StreamHeadStore extends SnapshotStore {
  /** Reads a head with a strongly consistent read; `undefined` when the stream has none. */
  getHead(streamId: string): ResultAsync<StreamHead | undefined, StoreError>;
  /**
   * Writes a commit as the head's pending commit if the head is at `expectedVersion`, has no
   * pending commit and has not applied the commit's command id. Returns the head as it was
   * before (its `lastPosition` orders the publication).
   */
  writeHead(
    streamId: string,
    write: HeadWrite,
  ): ResultAsync<{ readonly previous: StreamHead | undefined }, HeadConflict | StoreError>;
  /**
   * Writes several heads in one transaction: all or none. A conflict names the first stream
   * whose condition failed.
   */
  writeHeads(writes: ReadonlyMap<string, HeadWrite>): ResultAsync<void, HeadConflict | StoreError>;
  /**
   * Marks the pending commit at `version` as published at `position`. Returns `false` when it
   * was not pending any more (someone else acknowledged it): not an error.
   */
  acknowledge(
    streamId: string,
    version: number,
    position: string,
    options?: AcknowledgeOptions,
  ): ResultAsync<boolean, StoreError>;
  /** Heads with a pending commit, oldest first (from an index that may lag a little). */
  listPending(options?: ListPendingOptions): ResultAsync<readonly StreamHead[], StoreError>;
}
