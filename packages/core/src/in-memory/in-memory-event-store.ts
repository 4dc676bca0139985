import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { type AppliedCommand, buildCommit, type Commit } from '../commit.js';
import { type ConcurrencyError, concurrencyError, type StoreError } from '../errors.js';
import type { RawEventEnvelope } from '../event.js';
import type {
  AppendOptions,
  AppendRequest,
  AppendResult,
  EventStore,
  LoadedStream,
  LoadOptions,
  NewEvent,
  Snapshot,
} from '../event-store.js';
import { assertExpectedVersion, matchesExpectedVersion, NO_STREAM } from '../expected-version.js';
import { jsonCopy } from '../internal/json.js';
import type { SnapshotStore } from '../snapshot-store.js';
import type { InMemoryEventLog } from './in-memory-event-log.js';
import { InMemorySnapshotStore } from './in-memory-snapshot-store.js';

interface StoredStream {
  /** Each event as JSON text: what a real store keeps, and a copy no caller can mutate. */
  readonly events: string[];
  readonly commands: Map<string, AppliedCommand>;
}

/** Options of {@link InMemoryEventStore}. */
export interface InMemoryEventStoreOptions {
  /** Where snapshots go (default: a new {@link InMemorySnapshotStore}). */
  readonly snapshots?: SnapshotStore;
  /** A log that receives every commit in order, for projection runners to subscribe to. */
  readonly log?: InMemoryEventLog;
  /** The clock that stamps commits (default: the system clock). */
  readonly clock?: () => Date;
}

type Prepared =
  | { readonly duplicate: true; readonly applied: AppliedCommand }
  | { readonly duplicate: false; readonly commit: Commit; readonly request: AppendRequest };

/**
 * An {@link EventStore} in process memory, for tests, examples and local runs. It keeps every
 * event (as JSON copies), remembers applied command ids per stream, stores snapshots in a
 * {@link SnapshotStore} and publishes each commit to an optional {@link InMemoryEventLog}.
 *
 * @example
 * ```ts
 * const log = new InMemoryEventLog();
 * const eventStore = new InMemoryEventStore({ log });
 * const products = createCommandHandler(Product, { eventStore });
 * ```
 */
export class InMemoryEventStore implements EventStore {
  readonly #streams = new Map<string, StoredStream>();
  readonly #snapshots: SnapshotStore;
  readonly #log: InMemoryEventLog | undefined;
  readonly #clock: () => Date;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.#snapshots = options.snapshots ?? new InMemorySnapshotStore();
    this.#log = options.log;
    this.#clock = options.clock ?? (() => new Date());
  }

  load(streamId: string, options: LoadOptions = {}): ResultAsync<LoadedStream, StoreError> {
    const stream = this.#streams.get(streamId);
    const version = stream?.events.length ?? 0;
    const applied =
      options.commandId === undefined ? undefined : stream?.commands.get(options.commandId);
    return this.#snapshots.get(streamId).map((stored) => {
      // A snapshot ahead of the stream (a shared snapshot store, a reset stream) is ignored.
      const snapshot = stored !== undefined && stored.version <= version ? stored : undefined;
      const from = snapshot?.version ?? 0;
      const events =
        stream === undefined
          ? []
          : stream.events.slice(from, version).map((text) => JSON.parse(text) as RawEventEnvelope);
      return {
        streamId,
        version,
        events,
        ...(snapshot === undefined ? {} : { snapshot }),
        ...(applied === undefined ? {} : { appliedCommand: applied }),
      };
    });
  }

  append(
    streamId: string,
    expectedVersion: AppendRequest['expectedVersion'],
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): ResultAsync<AppendResult, ConcurrencyError | StoreError> {
    return this.appendMany([{ streamId, expectedVersion, events, options }]).map(
      (results) => results[0] as AppendResult,
    );
  }

  appendMany(
    requests: readonly AppendRequest[],
  ): ResultAsync<AppendResult[], ConcurrencyError | StoreError> {
    const seen = new Set<string>();
    for (const request of requests) {
      if (request.events.length === 0) {
        throw new RangeError(`append to ${request.streamId}: no events to append`);
      }
      if (seen.has(request.streamId)) {
        throw new RangeError(`appendMany: stream ${request.streamId} appears more than once`);
      }
      assertExpectedVersion(request.expectedVersion);
      seen.add(request.streamId);
    }

    // Check every condition before writing anything: all requests apply or none.
    const committedAt = this.#clock().toISOString();
    const prepared: Prepared[] = [];
    for (const request of requests) {
      const stream = this.#streams.get(request.streamId);
      const commandId = request.options?.commandId;
      const applied = commandId === undefined ? undefined : stream?.commands.get(commandId);
      if (applied !== undefined) {
        prepared.push({ duplicate: true, applied });
        continue;
      }
      const version = stream?.events.length ?? 0;
      if (!matchesExpectedVersion(request.expectedVersion, version)) {
        return errAsync(
          concurrencyError({
            streamId: request.streamId,
            expectedVersion: request.expectedVersion,
            actualVersion: version,
          }),
        );
      }
      prepared.push({
        duplicate: false,
        commit: buildCommit(request, version, committedAt),
        request,
      });
    }

    const results: AppendResult[] = [];
    const snapshotWrites: Promise<unknown>[] = [];
    for (const entry of prepared) {
      if (entry.duplicate) {
        results.push(entry);
        continue;
      }
      const { commit, request } = entry;
      let stream = this.#streams.get(commit.streamId);
      if (stream === undefined) {
        stream = { events: [], commands: new Map() };
        this.#streams.set(commit.streamId, stream);
      }
      for (const envelope of commit.events) stream.events.push(JSON.stringify(envelope));
      if (commit.commandId !== undefined) {
        stream.commands.set(commit.commandId, {
          commandId: commit.commandId,
          streamId: commit.streamId,
          fromVersion: commit.fromVersion,
          toVersion: commit.toVersion,
          committedAt: commit.committedAt,
        });
      }
      this.#log?.append(jsonCopy(commit));
      results.push({ duplicate: false, commit });
      const snapshot = request.options?.snapshot;
      if (snapshot !== undefined) {
        snapshotWrites.push(
          this.#saveSnapshot(commit.streamId, { ...snapshot, version: commit.toVersion }),
        );
      }
    }
    if (snapshotWrites.length === 0) return okAsync(results);
    return ResultAsync.fromSafePromise(Promise.all(snapshotWrites)).map(() => results);
  }

  /** A copy of a stream's stored events, for tests and debugging. */
  readStream(streamId: string): RawEventEnvelope[] {
    return (this.#streams.get(streamId)?.events ?? []).map(
      (text) => JSON.parse(text) as RawEventEnvelope,
    );
  }

  async #saveSnapshot(streamId: string, snapshot: Snapshot): Promise<void> {
    // A snapshot is a cache of state: a newer one written meanwhile wins, and a failed write
    // loses nothing (the events are stored; the next load folds them).
    await this.#snapshots.get(streamId).andThen((current) =>
      current !== undefined && current.version >= snapshot.version
        ? okAsync(undefined)
        : this.#snapshots.put(streamId, snapshot, {
            expectedVersion: current?.version ?? NO_STREAM,
          }),
    );
  }
}
