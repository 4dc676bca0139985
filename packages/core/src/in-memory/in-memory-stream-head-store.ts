import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { Commit } from '../commit.js';
import { type ConcurrencyError, concurrencyError, type StoreError, storeError } from '../errors.js';
import type { Snapshot } from '../event-store.js';
import { ANY, NO_STREAM } from '../expected-version.js';
import type { ExpectedSnapshotVersion } from '../snapshot-store.js';
import type {
  AcknowledgeOptions,
  HeadConflict,
  HeadWrite,
  ListPendingOptions,
  StreamHead,
  StreamHeadStore,
} from '../stream-head-store.js';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * A {@link StreamHeadStore} in process memory: the reference behaviour of the port, for tests of
 * code built on it (the Kinesis event store's protocol) without DynamoDB.
 *
 * @example
 * ```ts
 * const heads = new InMemoryStreamHeadStore();
 * await heads.writeHead('cart-1', { expectedVersion: 0, commit, snapshot: { state, stateVersion: 1 } });
 * ```
 */
export class InMemoryStreamHeadStore implements StreamHeadStore {
  readonly #heads = new Map<string, StreamHead>();
  readonly #clock: () => Date;

  constructor(options: { readonly clock?: () => Date } = {}) {
    this.#clock = options.clock ?? (() => new Date());
  }

  getHead(streamId: string): ResultAsync<StreamHead | undefined, StoreError> {
    const invalid = this.#invalid(streamId);
    if (invalid !== undefined) return errAsync(invalid);
    const head = this.#heads.get(streamId);
    return okAsync(head === undefined ? undefined : copy(head));
  }

  get(streamId: string): ResultAsync<Snapshot | undefined, StoreError> {
    return this.getHead(streamId).map((head) => head?.snapshot);
  }

  put(
    streamId: string,
    snapshot: Snapshot,
    options: { readonly expectedVersion: ExpectedSnapshotVersion },
  ): ResultAsync<void, ConcurrencyError | StoreError> {
    const invalid = this.#invalid(streamId);
    if (invalid !== undefined) return errAsync(invalid);
    const current = this.#heads.get(streamId);
    const expected = options.expectedVersion;
    const matches =
      current?.pending === undefined &&
      (expected === ANY ||
        (expected === NO_STREAM ? current === undefined : (current?.version ?? 0) === expected));
    if (!matches) {
      return errAsync(
        concurrencyError({
          streamId,
          expectedVersion: expected,
          ...(current === undefined ? {} : { actualVersion: current.version }),
        }),
      );
    }
    this.#heads.set(streamId, {
      ...(current ?? { streamId, recentCommands: [] }),
      version: snapshot.version,
      snapshot: copy(snapshot),
    });
    return okAsync(undefined);
  }

  #invalid(streamId: string): StoreError | undefined {
    return streamId.length === 0
      ? storeError('InvalidInput', 'stream id is empty: a head needs a non-empty key')
      : undefined;
  }

  #conflict(streamId: string, write: HeadWrite): HeadConflict | undefined {
    const current = this.#heads.get(streamId);
    const reason = (): string | undefined => {
      if (write.expectedVersion === 0) return current === undefined ? undefined : 'exists';
      if (current === undefined) return 'does not exist';
      if (current.version !== write.expectedVersion) return `is at version ${current.version}`;
      if (current.pending !== undefined) return 'has an unpublished commit';
      const commandId = write.commit.commandId;
      if (
        commandId !== undefined &&
        current.recentCommands.some((c) => c.commandId === commandId)
      ) {
        return `has applied command ${commandId}`;
      }
      return undefined;
    };
    const why = reason();
    if (why === undefined) return undefined;
    return {
      kind: 'HeadConflict',
      message: `head of ${streamId} ${why} (expected version ${write.expectedVersion})`,
      streamId,
      current: current === undefined ? undefined : copy(current),
    };
  }

  #apply(streamId: string, write: HeadWrite): StreamHead | undefined {
    const previous = this.#heads.get(streamId);
    const commit: Commit = copy(write.commit);
    const commandId = commit.commandId;
    this.#heads.set(streamId, {
      streamId,
      version: commit.toVersion,
      snapshot: { ...copy(write.snapshot), version: commit.toVersion },
      pending: commit,
      pendingSince: this.#clock().toISOString(),
      ...(previous?.lastPosition === undefined ? {} : { lastPosition: previous.lastPosition }),
      ...(commit.events[0] === undefined ? {} : { lastCommitId: commit.events[0].eventId }),
      recentCommands: [
        ...(previous?.recentCommands ?? []),
        ...(commandId === undefined
          ? []
          : [
              {
                commandId,
                streamId,
                fromVersion: commit.fromVersion,
                toVersion: commit.toVersion,
                committedAt: commit.committedAt,
              },
            ]),
      ],
    });
    return previous === undefined ? undefined : copy(previous);
  }

  writeHead(
    streamId: string,
    write: HeadWrite,
  ): ResultAsync<{ readonly previous: StreamHead | undefined }, HeadConflict | StoreError> {
    const invalid = this.#invalid(streamId);
    if (invalid !== undefined) return errAsync(invalid);
    const conflict = this.#conflict(streamId, write);
    if (conflict !== undefined) return errAsync(conflict);
    return okAsync({ previous: this.#apply(streamId, write) });
  }

  writeHeads(writes: ReadonlyMap<string, HeadWrite>): ResultAsync<void, HeadConflict | StoreError> {
    for (const [streamId, write] of writes) {
      const invalid = this.#invalid(streamId);
      if (invalid !== undefined) return errAsync(invalid);
      const conflict = this.#conflict(streamId, write);
      if (conflict !== undefined) return errAsync(conflict);
    }
    for (const [streamId, write] of writes) this.#apply(streamId, write);
    return okAsync(undefined);
  }

  acknowledge(
    streamId: string,
    version: number,
    position: string,
    options: AcknowledgeOptions = {},
  ): ResultAsync<boolean, StoreError> {
    const invalid = this.#invalid(streamId);
    if (invalid !== undefined) return errAsync(invalid);
    const head = this.#heads.get(streamId);
    if (head === undefined || head.version !== version || head.pending === undefined) {
      return okAsync(false);
    }
    const forget = new Set(options.forgetCommands ?? []);
    const { pending: _pending, pendingSince: _since, ...rest } = head;
    this.#heads.set(streamId, {
      ...rest,
      lastPosition: position,
      recentCommands: head.recentCommands.filter((command) => !forget.has(command.commandId)),
    });
    return okAsync(true);
  }

  listPending(options: ListPendingOptions = {}): ResultAsync<readonly StreamHead[], StoreError> {
    const cutoff = this.#clock().getTime() - (options.minAgeMs ?? 0);
    const pending = [...this.#heads.values()]
      .filter((head) => head.pendingSince !== undefined && Date.parse(head.pendingSince) <= cutoff)
      .sort((a, b) => (a.pendingSince ?? '').localeCompare(b.pendingSince ?? ''))
      .slice(0, options.limit ?? Number.POSITIVE_INFINITY);
    return okAsync(copy(pending));
  }
}
