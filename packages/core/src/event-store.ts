import type { ResultAsync } from 'neverthrow';
import type { AppliedCommand, Commit } from './commit.js';
import type { ConcurrencyError, StoreError } from './errors.js';
import type { EventMetadata, RawEventEnvelope } from './event.js';
import type { EncodedEvent } from './event-registry.js';
import type { ExpectedVersion } from './expected-version.js';

/** An aggregate's state after `version`, in its encoded (storable) form. */
export interface Snapshot {
  /** The stream version the state reflects. */
  readonly version: number;
  /** The encoded state (`stateCodec.encode`). */
  readonly state: unknown;
  /** The aggregate's `stateVersion` when the snapshot was written. */
  readonly stateVersion: number;
}

/** A stream as loaded: its version, the latest snapshot if any, and the events after it. */
export interface LoadedStream {
  readonly streamId: string;
  /** The stream's version (0 when the stream does not exist). */
  readonly version: number;
  readonly snapshot?: Snapshot;
  /** Stored events after the snapshot (all events when there is none), in version order. */
  readonly events: readonly RawEventEnvelope[];
  /** Present when `load` was asked about a command id that this stream has already applied. */
  readonly appliedCommand?: AppliedCommand;
}

/** Options of {@link EventStore.load}. */
export interface LoadOptions {
  /** Ask whether this command was already applied to the stream (see `appliedCommand`). */
  readonly commandId?: string;
}

/** An event to append: encoded data, plus an id and metadata of its own if the caller has them. */
export interface NewEvent extends EncodedEvent {
  /** A time-ordered unique id; the store creates one when absent. */
  readonly eventId?: string;
  readonly metadata?: EventMetadata;
}

/** Options of {@link EventStore.append}. */
export interface AppendOptions {
  /**
   * The id of the command that produced the events. A store remembers it: appending again with
   * an id the stream has already applied appends nothing and reports the earlier commit.
   */
  readonly commandId?: string;
  /** Metadata added to every event (an event's own metadata wins on conflicts). */
  readonly metadata?: EventMetadata;
  /** The state after these events, stored with the commit (version = the commit's toVersion). */
  readonly snapshot?: Omit<Snapshot, 'version'>;
}

/** One stream's part of an {@link EventStore.appendMany} call. */
export interface AppendRequest {
  readonly streamId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly NewEvent[];
  readonly options?: AppendOptions;
}

/**
 * Whether a stored commit has reached the store's log yet. Stores that publish commits to a log
 * (the Kinesis event store) report a commit that is durable but not yet published as
 * `published: false`: it is published by the next load of the stream or by a sweeper.
 */
export type Publication =
  | {
      readonly published: true;
      readonly position?: string;
      /**
       * Present when publishing worked but recording it did not: the commit stays marked pending
       * and is published again (a duplicate consumers drop) by the next load or a sweeper.
       */
      readonly acknowledgeError?: StoreError;
    }
  | { readonly published: false; readonly error: StoreError };

/** What an append did: a new commit, or nothing because the command was already applied. */
export type AppendResult =
  | { readonly duplicate: false; readonly commit: Commit; readonly publication?: Publication }
  | { readonly duplicate: true; readonly applied: AppliedCommand };

/**
 * The write and load side of an event-sourced store.
 *
 * Guarantees every implementation gives (checked by `eventStoreContract` in
 * `@tributary/core/testing`): versions are 1-based and gapless per stream; an append whose
 * expected version does not match appends nothing and fails with a `ConcurrencyError`; a
 * command id already applied to a stream appends nothing and reports the earlier commit, whatever
 * the expected version; `appendMany` applies all of its requests or none.
 */
export interface EventStore {
  /** Loads a stream: version, latest snapshot and the events after it. Unknown streams are version 0. */
  load(streamId: string, options?: LoadOptions): ResultAsync<LoadedStream, StoreError>;
  /**
   * Appends events to one stream if it is at `expectedVersion`. Throws a `RangeError` for an
   * empty event list (a programmer error).
   */
  append(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): ResultAsync<AppendResult, ConcurrencyError | StoreError>;
  /**
   * Appends to several streams atomically where the store can: either every request's expected
   * version matches and all are written, or nothing is and the error names the stream that
   * failed. Results come in request order.
   */
  appendMany(
    requests: readonly AppendRequest[],
  ): ResultAsync<AppendResult[], ConcurrencyError | StoreError>;
}
