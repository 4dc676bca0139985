import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import {
  ANY,
  type AppendOptions,
  type AppendRequest,
  type AppendResult,
  type AppliedCommand,
  assertExpectedVersion,
  buildCommit,
  type Commit,
  type ConcurrencyError,
  concurrencyError,
  type EventStore,
  type ExpectedVersion,
  err,
  errAsync,
  type HeadConflict,
  type HeadWrite,
  type LoadedStream,
  type LoadOptions,
  type NewEvent,
  NO_STREAM,
  ok,
  type Publication,
  type Result,
  ResultAsync,
  STREAM_EXISTS,
  type StoreError,
  type StreamHead,
  type StreamHeadStore,
  storeError,
} from '@tributary/core';
import { encodeCommit } from './commit-codec.js';
import { CommitPublisher, type PublishRetryOptions } from './commit-publisher.js';
import { MAX_KINESIS_RECORD_BYTES, MAX_PARTITION_KEY_LENGTH } from './limits.js';

/** Options of {@link KinesisEventStore}. */
export interface KinesisEventStoreOptions {
  /** A ready Kinesis client, or the config to create one. */
  readonly kinesis: KinesisClient | KinesisClientConfig;
  /** The Kinesis data stream commits are published to. */
  readonly streamName: string;
  /** Where each stream's head lives: `DynamoDBStreamHeadStore` from `@tributary/dynamodb`. */
  readonly heads: StreamHeadStore;
  /** PutRecord retries for throttling and transient errors. */
  readonly publishRetry?: PublishRetryOptions;
  /** How many recent command ids each head remembers for idempotency (default 100). */
  readonly recentCommandLimit?: number;
  /** How often an append re-tries after publishing a commit it found pending (default 3). */
  readonly maxRecoveries?: number;
  readonly clock?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** What {@link KinesisEventStore.publishPending} did. */
export interface SweepReport {
  /** Pending commits found through the index. */
  readonly found: number;
  /** Commits this sweep published and acknowledged (publish or acknowledge failures are in `failures`). */
  readonly published: number;
  /** Heads whose commit was no longer pending when re-read (published meanwhile). */
  readonly alreadyPublished: number;
  readonly failures: readonly StoreError[];
}

type Conflict = HeadConflict | StoreError;

const isHeadConflict = (error: Conflict): error is HeadConflict => error.kind === 'HeadConflict';

/**
 * The event store of architecture section 4: each stream's head (version, state, pending commit)
 * lives in a {@link StreamHeadStore} (DynamoDB), and every commit is published as one Kinesis
 * record keyed by stream id. An append is one conditional head write (the commit is durable from
 * there), one `PutRecord`, and one acknowledgement. A commit left pending by a crash or an outage
 * is published by the next `load` or append of its stream, or by {@link publishPending}, before
 * anything else happens to the stream, so the first publication of each stream's commits is in
 * commit order. A commit may be published twice: consumers drop duplicates by (streamId, version).
 *
 * It cannot read a stream's events (Kinesis is not readable per stream): every append must carry
 * the state after it (`snapshot`), and `load` returns that state and no events. Use it with the
 * command handler's default `snapshotEveryCommit()` policy.
 *
 * @example
 * ```ts
 * const eventStore = new KinesisEventStore({
 *   kinesis: new KinesisClient({}),
 *   streamName: 'shop-events',
 *   heads: new DynamoDBStreamHeadStore({ client: new DynamoDBClient({}), tableName: 'shop-heads' }),
 * });
 * const products = createCommandHandler(Product, { eventStore });
 * ```
 */
export class KinesisEventStore implements EventStore {
  readonly #heads: StreamHeadStore;
  readonly #publisher: CommitPublisher;
  readonly #recentCommandLimit: number;
  readonly #maxRecoveries: number;
  readonly #clock: () => Date;

  constructor(options: KinesisEventStoreOptions) {
    const client =
      options.kinesis instanceof KinesisClient
        ? options.kinesis
        : new KinesisClient(options.kinesis);
    this.#heads = options.heads;
    this.#publisher = new CommitPublisher({
      client,
      streamName: options.streamName,
      ...(options.publishRetry === undefined ? {} : { retry: options.publishRetry }),
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    this.#recentCommandLimit = options.recentCommandLimit ?? 100;
    this.#maxRecoveries = options.maxRecoveries ?? 3;
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Reads the head (one strongly consistent read). A pending commit is published first; if that
   * fails the load still succeeds (the state is durable) and the next write retries it.
   */
  load(streamId: string, options: LoadOptions = {}): ResultAsync<LoadedStream, StoreError> {
    const invalid = validateStreamId(streamId);
    if (invalid !== undefined) return errAsync(invalid);
    return ResultAsync.fromSafePromise(this.#readHead(streamId))
      .andThen((read) => read)
      .map((head) => {
        const applied =
          options.commandId === undefined
            ? undefined
            : head?.recentCommands.find((command) => command.commandId === options.commandId);
        return {
          streamId,
          version: head?.version ?? 0,
          events: [],
          ...(head?.snapshot === undefined ? {} : { snapshot: head.snapshot }),
          ...(applied === undefined ? {} : { appliedCommand: applied }),
        };
      });
  }

  append(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): ResultAsync<AppendResult, ConcurrencyError | StoreError> {
    assertWritable(streamId, events, options);
    assertExpectedVersion(expectedVersion);
    const invalid = validateStreamId(streamId);
    if (invalid !== undefined) return errAsync(invalid);
    return new ResultAsync(this.#append({ streamId, expectedVersion, events, options }));
  }

  appendMany(
    requests: readonly AppendRequest[],
  ): ResultAsync<AppendResult[], ConcurrencyError | StoreError> {
    const seen = new Set<string>();
    for (const request of requests) {
      assertWritable(request.streamId, request.events, request.options ?? {});
      assertExpectedVersion(request.expectedVersion);
      if (seen.has(request.streamId)) {
        throw new RangeError(`appendMany: stream ${request.streamId} appears more than once`);
      }
      seen.add(request.streamId);
      const invalid = validateStreamId(request.streamId);
      if (invalid !== undefined) return errAsync(invalid);
    }
    if (requests.length === 1 && requests[0] !== undefined) {
      const only = requests[0];
      return this.append(only.streamId, only.expectedVersion, only.events, only.options).map(
        (result) => [result],
      );
    }
    return new ResultAsync(this.#appendMany(requests));
  }

  /**
   * The sweeper: finds heads whose commit is still pending (through the store's sparse index),
   * re-reads each and publishes and acknowledges what is still pending, oldest first. Safe to
   * run while appends go on and in several processes at once: at worst a commit is published
   * twice. Run it on a schedule (the example's `shop-outbox-sweeper`).
   *
   * @example
   * ```ts
   * const report = await eventStore.publishPending({ minAgeMs: 5_000 });
   * ```
   */
  publishPending(
    options: { readonly minAgeMs?: number; readonly limit?: number } = {},
  ): ResultAsync<SweepReport, StoreError> {
    return this.#heads.listPending(options).andThen((pending) =>
      ResultAsync.fromSafePromise(
        (async (): Promise<SweepReport> => {
          let published = 0;
          let alreadyPublished = 0;
          const failures: StoreError[] = [];
          for (const listed of pending) {
            const head = await this.#heads.getHead(listed.streamId);
            if (head.isErr()) {
              failures.push(head.error);
              continue;
            }
            if (head.value?.pending === undefined) {
              alreadyPublished += 1;
              continue;
            }
            const outcome = await this.#publishPendingOf(head.value);
            if (!outcome.published) failures.push(outcome.error);
            else if (outcome.acknowledgeError !== undefined)
              failures.push(outcome.acknowledgeError);
            else published += 1;
          }
          return { found: pending.length, published, alreadyPublished, failures };
        })(),
      ),
    );
  }

  /** Reads a head, publishing its pending commit first when there is one. */
  async #readHead(streamId: string): Promise<Result<StreamHead | undefined, StoreError>> {
    const head = await this.#heads.getHead(streamId);
    if (head.isErr() || head.value?.pending === undefined) return head;
    await this.#publishPendingOf(head.value);
    return head;
  }

  /** Publishes and acknowledges a head's pending commit. */
  async #publishPendingOf(head: StreamHead): Promise<Publication> {
    const commit = head.pending;
    if (commit === undefined) return { published: true };
    return this.#publishAndAcknowledge(commit, encodeCommit(commit), head);
  }

  /** Resolves a non-numeric expected version into the head's version (publishing a pending commit). */
  async #resolveExpected(
    streamId: string,
    expected: ExpectedVersion,
  ): Promise<
    | { readonly ok: true; readonly version: number }
    | { readonly ok: false; readonly error: ConcurrencyError | StoreError }
  > {
    if (typeof expected === 'number') return { ok: true, version: expected };
    if (expected === NO_STREAM) return { ok: true, version: 0 };
    const head = await this.#readHead(streamId);
    if (head.isErr()) return { ok: false, error: head.error };
    const version = head.value?.version ?? 0;
    if (expected === STREAM_EXISTS && version === 0) {
      return {
        ok: false,
        error: concurrencyError({ streamId, expectedVersion: expected, actualVersion: 0 }),
      };
    }
    return { ok: true, version };
  }

  async #append(
    request: AppendRequest,
  ): Promise<Result<AppendResult, ConcurrencyError | StoreError>> {
    const { streamId, expectedVersion } = request;
    const options = request.options ?? {};
    for (let recovery = 0; ; recovery += 1) {
      const resolved = await this.#resolveExpected(streamId, expectedVersion);
      if (!resolved.ok) return err(resolved.error);
      const prepared = this.#prepare(request, resolved.version);
      if (!prepared.ok) return err(prepared.error);
      const { commit, data, write } = prepared;

      const written = await this.#heads.writeHead(streamId, write);
      if (written.isOk()) {
        const previous = written.value.previous;
        const publication = await this.#publishAndAcknowledge(commit, data, previous);
        return ok({ duplicate: false, commit, publication });
      }
      const error = written.error;
      if (!isHeadConflict(error)) return err(error);
      const current = error.current;
      if (isOwnCommit(current?.pending, commit)) {
        // An earlier attempt of this very write was applied (the SDK retried after a lost
        // answer): the commit is durable; publish it as if the write had answered.
        const publication = await this.#publishAndAcknowledge(commit, data, current);
        return ok({ duplicate: false, commit, publication });
      }
      if (current !== undefined && current.lastCommitId === commit.events[0]?.eventId) {
        // An earlier attempt of this very write was applied, and its commit has been published
        // and acknowledged by a load or the sweeper since: the append succeeded.
        return ok({
          duplicate: false,
          commit,
          publication: {
            published: true,
            ...(current.lastPosition === undefined ? {} : { position: current.lastPosition }),
          },
        });
      }
      const applied = findApplied(current, options.commandId);
      if (applied !== undefined) return ok({ duplicate: true, applied });
      if (current?.pending !== undefined) {
        // The stream's last commit is not published yet: publish it before anything else.
        const publication = await this.#publishPendingOf(current);
        if (!publication.published) return err(blockedByPending(streamId, publication.error));
      }
      // Blocked only by that pending commit (it was the one at the expected version), or ANY,
      // which takes whatever version is next: write again.
      const blockedOnlyByPending =
        current?.pending !== undefined && current.version === resolved.version;
      if ((blockedOnlyByPending || expectedVersion === ANY) && recovery < this.#maxRecoveries) {
        continue;
      }
      return err(
        concurrencyError({
          streamId,
          expectedVersion,
          actualVersion: current?.version ?? 0,
        }),
      );
    }
  }

  async #appendMany(
    requests: readonly AppendRequest[],
  ): Promise<Result<AppendResult[], ConcurrencyError | StoreError>> {
    for (let recovery = 0; ; recovery += 1) {
      const writes = new Map<string, HeadWrite>();
      const prepared = new Map<string, { commit: Commit; data: Uint8Array }>();
      for (const request of requests) {
        const resolved = await this.#resolveExpected(request.streamId, request.expectedVersion);
        if (!resolved.ok) return err(resolved.error);
        const result = this.#prepare(request, resolved.version);
        if (!result.ok) return err(result.error);
        writes.set(request.streamId, result.write);
        prepared.set(request.streamId, { commit: result.commit, data: result.data });
      }
      const written = writes.size === 0 ? undefined : await this.#heads.writeHeads(writes);
      if (written === undefined || written.isOk()) {
        const results: AppendResult[] = [];
        for (const request of requests) {
          const entry = prepared.get(request.streamId);
          if (entry === undefined) continue;
          // Transactions return no old items: read the head (now holding this commit as
          // pending) for the previous record's position and the command ids to trim.
          const head = await this.#heads.getHead(request.streamId);
          const publication = await this.#publishAndAcknowledge(
            entry.commit,
            entry.data,
            head.isOk() ? head.value : undefined,
          );
          results.push({ duplicate: false, commit: entry.commit, publication });
        }
        return ok(results);
      }
      const error = written.error;
      if (!isHeadConflict(error)) return err(error);
      const current = error.current;
      const request = requests.find((candidate) => candidate.streamId === error.streamId);
      const applied = findApplied(current, request?.options?.commandId);
      if (applied !== undefined) {
        // appendMany is atomic: one stream that has applied the command means the whole
        // request was applied before (another stream may have forgotten the id since).
        return ok(
          await Promise.all(
            requests.map(async (each): Promise<AppendResult> => {
              const head = await this.#heads.getHead(each.streamId);
              const own = head.isOk()
                ? findApplied(head.value, each.options?.commandId)
                : undefined;
              return { duplicate: true, applied: own ?? applied };
            }),
          ),
        );
      }
      if (current?.pending !== undefined) {
        const publication = await this.#publishPendingOf(current);
        if (!publication.published) return err(blockedByPending(error.streamId, publication.error));
        if (recovery < this.#maxRecoveries) continue;
      }
      return err(
        concurrencyError({
          streamId: error.streamId,
          expectedVersion: request?.expectedVersion ?? ANY,
          actualVersion: current?.version ?? 0,
          message: `appendMany wrote nothing: stream ${error.streamId} is not at the expected version ${String(request?.expectedVersion)} (it is at ${current?.version ?? 0})`,
        }),
      );
    }
  }

  #prepare(
    request: AppendRequest,
    version: number,
  ):
    | {
        readonly ok: true;
        readonly commit: Commit;
        readonly data: Uint8Array;
        readonly write: HeadWrite;
      }
    | { readonly ok: false; readonly error: StoreError } {
    const options = request.options ?? {};
    const commit = buildCommit(request, version, this.#clock().toISOString());
    const data = encodeCommit(commit);
    const recordBytes = data.byteLength + Buffer.byteLength(request.streamId, 'utf8');
    if (recordBytes > MAX_KINESIS_RECORD_BYTES) {
      return {
        ok: false,
        error: storeError(
          'LimitExceeded',
          `commit ${request.streamId}@${commit.fromVersion}..${commit.toVersion} is ${recordBytes} bytes as a Kinesis record, over the ${MAX_KINESIS_RECORD_BYTES}-byte limit; nothing was written`,
          { streamId: request.streamId, version: commit.toVersion },
        ),
      };
    }
    const snapshot = options.snapshot;
    if (snapshot === undefined) throw new TypeError('unreachable: checked by assertWritable');
    return { ok: true, commit, data, write: { expectedVersion: version, commit, snapshot } };
  }

  /**
   * Publishes a commit and acknowledges it. `head` is the stream's head before the commit, or the
   * head holding it as pending: its position orders the record, and its command ids beyond the
   * limit are forgotten in the acknowledgement.
   */
  async #publishAndAcknowledge(
    commit: Commit,
    data: Uint8Array,
    head: Pick<StreamHead, 'lastPosition' | 'recentCommands'> | undefined,
  ): Promise<Publication> {
    const outcome = await this.#publisher.publish(commit, data, head?.lastPosition);
    if (!outcome.published) return outcome;
    const commands = [...(head?.recentCommands ?? [])];
    if (commit.commandId !== undefined && !commands.some((c) => c.commandId === commit.commandId)) {
      commands.push({
        commandId: commit.commandId,
        streamId: commit.streamId,
        fromVersion: commit.fromVersion,
        toVersion: commit.toVersion,
        committedAt: commit.committedAt,
      });
    }
    const forgetCommands = oldestBeyond(commands, this.#recentCommandLimit).slice(
      0,
      MAX_COMMANDS_FORGOTTEN_PER_ACK,
    );
    // A failed acknowledgement loses nothing: the commit stays pending and is published again
    // (a duplicate consumers drop) by the next load or the sweeper.
    const acknowledged = await this.#heads.acknowledge(
      commit.streamId,
      commit.toVersion,
      outcome.sequenceNumber,
      { forgetCommands },
    );
    return acknowledged.isErr()
      ? { published: true, position: outcome.sequenceNumber, acknowledgeError: acknowledged.error }
      : { published: true, position: outcome.sequenceNumber };
  }
}

/**
 * Command ids one acknowledgement forgets at most: each is a REMOVE clause, and an update
 * expression may be at most 4 KB (DynamoDB limit). A head over the limit shrinks by this much per
 * acknowledgement until it is back under it.
 */
const MAX_COMMANDS_FORGOTTEN_PER_ACK = 50;

const isOwnCommit = (pending: Commit | undefined, commit: Commit): boolean =>
  pending !== undefined &&
  pending.toVersion === commit.toVersion &&
  pending.events[0]?.eventId === commit.events[0]?.eventId;

const blockedByPending = (streamId: string, cause: StoreError): StoreError =>
  storeError(
    'Unavailable',
    `nothing was written to ${streamId}: its previous commit is still unpublished and publishing it failed (${cause.message})`,
    { streamId, cause },
  );

const findApplied = (
  head: StreamHead | undefined,
  commandId: string | undefined,
): AppliedCommand | undefined =>
  commandId === undefined
    ? undefined
    : head?.recentCommands.find((command) => command.commandId === commandId);

const oldestBeyond = (commands: readonly AppliedCommand[], keep: number): string[] =>
  commands.length <= keep
    ? []
    : [...commands]
        .sort((a, b) => a.toVersion - b.toVersion)
        .slice(0, commands.length - Math.max(0, keep))
        .map((command) => command.commandId);

const validateStreamId = (streamId: string): StoreError | undefined => {
  if (streamId.length === 0) {
    return storeError(
      'InvalidInput',
      'stream id is empty; a Kinesis partition key needs 1 to 256 characters',
    );
  }
  const characters = [...streamId].length;
  if (characters > MAX_PARTITION_KEY_LENGTH) {
    return storeError(
      'InvalidInput',
      `stream id is ${characters} characters, over the ${MAX_PARTITION_KEY_LENGTH} a Kinesis partition key allows: ${streamId.slice(0, 40)}…`,
      { streamId },
    );
  }
  return undefined;
};

const assertWritable = (streamId: string, events: readonly NewEvent[], options: AppendOptions) => {
  if (events.length === 0) throw new RangeError(`append to ${streamId}: no events to append`);
  if (options.snapshot === undefined) {
    throw new TypeError(
      `append to ${streamId}: the Kinesis event store keeps each stream's state in its head and cannot read events back, so every append needs a snapshot (use the command handler's default snapshotEveryCommit policy)`,
    );
  }
};
