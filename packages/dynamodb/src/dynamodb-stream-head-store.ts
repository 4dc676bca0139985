import {
  type AttributeValue,
  type CancellationReason,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  type AcknowledgeOptions,
  ANY,
  type ConcurrencyError,
  concurrencyError,
  describeCommit,
  type ExpectedSnapshotVersion,
  err,
  errAsync,
  type HeadConflict,
  type HeadWrite,
  type ListPendingOptions,
  NO_STREAM,
  ok,
  okAsync,
  type Result,
  ResultAsync,
  type Snapshot,
  type StoreError,
  type StreamHead,
  type StreamHeadStore,
  storeError,
} from '@tributary/core';
import { attempt, attemptOrFail } from './async-result.js';
import {
  type DynamoDBClientLike,
  type DynamoDBStreamHeadStoreOptions,
  resolveClient,
} from './dynamodb-stream-head-store-options.js';
import { awsStoreError, errorName, headConflict, invalidStreamId } from './errors.js';
import { HEAD_ATTRIBUTES as A, commandEntry, decodeHeadItem, rawVersion } from './head-item.js';
import {
  attributeMapBytes,
  DEFAULT_ITEM_SIZE_RESERVE,
  keyBytes,
  MAX_EXPRESSION_BYTES,
  MAX_ITEM_BYTES,
  MAX_PARTITION_KEY_BYTES,
  MAX_TRANSACTION_BYTES,
  MAX_TRANSACTION_ITEMS,
} from './limits.js';
import {
  DEFAULT_COMPRESSION_THRESHOLD,
  type EncodedPayload,
  encodePayload,
} from './payload-encoding.js';
import { streamHeadTableSchema } from './stream-head-table.js';
import { ExpressionBuilder } from './update-expression.js';

type Update = Pick<
  UpdateItemCommandInput,
  | 'TableName'
  | 'Key'
  | 'UpdateExpression'
  | 'ConditionExpression'
  | 'ExpressionAttributeNames'
  | 'ExpressionAttributeValues'
>;

/** A head write turned into its update, checked against the limits, not sent yet. */
interface PreparedWrite {
  readonly streamId: string;
  readonly table: string;
  readonly write: HeadWrite;
  readonly update: Update;
  readonly itemBytes: number;
}

// Cancellation reasons that mean "try again": another transaction or write got there first, or
// capacity ran out. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
const TRANSIENT_CANCELLATIONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

const assertVersion = (name: string, version: number): void => {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${version}`);
  }
};

const describePayload = (payload: EncodedPayload): string =>
  `${payload.encoding === 'json' ? Buffer.byteLength(payload.value.S ?? '') : (payload.value.B?.byteLength ?? 0)} bytes as ${payload.encoding}`;

/**
 * Turns the cancellation reasons of a `TransactWriteItems` over head writes (in the order of
 * `writes`) into the error `writeHeads` returns: a {@link HeadConflict} for the first stream whose
 * condition failed, with its head from the reason's `Item`; otherwise a `StoreError`,
 * `Unavailable` when every reason is transient (a conflicting transaction, throttling).
 */
export const cancellationError = (
  writes: readonly Pick<PreparedWrite, 'streamId' | 'table' | 'write'>[],
  reasons: readonly CancellationReason[] | undefined,
  cause: unknown,
): HeadConflict | StoreError => {
  const conflicted = reasons?.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
  const entry = conflicted === undefined ? undefined : writes[conflicted];
  if (entry !== undefined) {
    const item = reasons?.[conflicted ?? -1]?.Item;
    if (item === undefined) return headConflict(entry.streamId, entry.write, undefined);
    const current = decodeHeadItem(item, entry.table, entry.streamId);
    return current.isOk()
      ? headConflict(entry.streamId, entry.write, current.value)
      : current.error;
  }
  const failed = (reasons ?? [])
    .map((reason, index) => ({ reason, streamId: writes[index]?.streamId ?? `#${index}` }))
    .filter(({ reason }) => reason.Code !== undefined && reason.Code !== 'None');
  const described = failed
    .map(
      ({ reason, streamId }) =>
        `${streamId}: ${reason.Code}${reason.Message ? ` (${reason.Message})` : ''}`,
    )
    .join('; ');
  const message = `the transaction over ${writes.length} heads was cancelled: ${described || 'no reason given'}`;
  const streamId = failed[0]?.streamId;
  const fields = { ...(streamId === undefined ? {} : { streamId }), cause };
  if (
    failed.length > 0 &&
    failed.every(({ reason }) => TRANSIENT_CANCELLATIONS.has(reason.Code ?? ''))
  ) {
    return storeError('Unavailable', message, fields);
  }
  if (
    failed.some(
      ({ reason }) => reason.Code === 'ValidationError' && /item size/i.test(reason.Message ?? ''),
    )
  ) {
    return storeError('LimitExceeded', message, fields);
  }
  return storeError('Unexpected', message, fields);
};

/**
 * The heads of a log-publishing event store (the Kinesis event store) in DynamoDB: one item per
 * stream with its version, state, pending commit, last log position and recent command ids,
 * written with one conditional write per commit. Implements core's `StreamHeadStore`, and so
 * also `SnapshotStore`.
 *
 * Guarantees: a head write is one `UpdateItem` (several are one `TransactWriteItems`), applied
 * only when the head is at the expected version, has no pending commit and has not applied the
 * commit's command id; a failed condition returns the head as DynamoDB found it
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`) without a second read. Limits (item size,
 * key size, transaction size) are checked before anything is written.
 *
 * Failure behaviour: expected failures are values: `HeadConflict` for a failed condition,
 * `StoreError` with `InvalidInput` (empty or too long stream id), `LimitExceeded` (a head over
 * 400 KB, more than 100 heads in one transaction), `Unavailable` (throttling, 5xx, network),
 * `Unexpected`/`InvalidSnapshot` (a corrupt item, named with every failing path). Misuse (a
 * commit for another stream, a negative version) throws.
 *
 * A `HeadConflict` whose `current.pending` is the very commit being written means an earlier
 * attempt of the same write was applied (an SDK retry after a lost answer): the commit is
 * durable.
 *
 * @example
 * ```ts
 * const heads = new DynamoDBStreamHeadStore({ client: new DynamoDBClient({}), tableName: 'stream-heads' });
 * const written = await heads.writeHead('cart-1', { expectedVersion: 0, commit, snapshot: { state, stateVersion: 1 } });
 * if (written.isErr() && written.error.kind === 'HeadConflict') console.log(written.error.current?.version);
 * ```
 */
export class DynamoDBStreamHeadStore implements StreamHeadStore {
  readonly #client: DynamoDBClientLike;
  readonly #owned: DynamoDBClient | undefined;
  readonly #tableName: string | ((streamId: string) => string);
  readonly #tables: readonly string[] | undefined;
  readonly #threshold: number;
  readonly #reserve: number;
  readonly #clock: () => Date;

  /** Throws `RangeError` for a negative compression threshold or size reserve. */
  constructor(options: DynamoDBStreamHeadStoreOptions) {
    const threshold = options.compressionThreshold ?? DEFAULT_COMPRESSION_THRESHOLD;
    const reserve = options.itemSizeReserve ?? DEFAULT_ITEM_SIZE_RESERVE;
    if (!(threshold >= 0))
      throw new RangeError(`compressionThreshold must be >= 0, got ${threshold}`);
    if (!(reserve >= 0 && reserve < MAX_ITEM_BYTES)) {
      throw new RangeError(`itemSizeReserve must be in [0, ${MAX_ITEM_BYTES}), got ${reserve}`);
    }
    const { client, owned } = resolveClient(options.client);
    this.#client = client;
    this.#owned = owned;
    this.#tableName = options.tableName;
    this.#tables =
      options.tables ?? (typeof options.tableName === 'string' ? [options.tableName] : undefined);
    this.#threshold = threshold;
    this.#reserve = reserve;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Destroys the client if the store created it from a configuration; a given client is left open. */
  close(): void {
    this.#owned?.destroy();
  }

  /**
   * Reads a stream's head with a strongly consistent `GetItem`; `undefined` when there is none.
   *
   * Failure behaviour: `StoreError` (`InvalidInput`, `Unavailable`, `Unexpected` or
   * `InvalidSnapshot` for a corrupt item).
   *
   * @example
   * ```ts
   * const head = await heads.getHead('cart-1'); // Ok(undefined) for a new stream
   * ```
   */
  getHead(streamId: string): ResultAsync<StreamHead | undefined, StoreError> {
    const invalid = this.#checkStreamId(streamId);
    if (invalid !== undefined) return errAsync(invalid);
    const table = this.#table(streamId);
    return attemptOrFail(
      () =>
        this.#client.send(
          new GetItemCommand({ TableName: table, Key: this.#key(streamId), ConsistentRead: true }),
        ),
      (error) =>
        awsStoreError(error, `reading the head of ${streamId} from ${table}`, { streamId }),
    ).andThen(({ Item }) =>
      Item === undefined ? ok(undefined) : decodeHeadItem(Item, table, streamId),
    );
  }

  /**
   * The stream's snapshot: its head's state and version (`SnapshotStore`).
   *
   * Failure behaviour: as {@link DynamoDBStreamHeadStore.getHead}.
   *
   * @example
   * ```ts
   * const snapshot = await heads.get('cart-1'); // Ok({ version, state, stateVersion }) or Ok(undefined)
   * ```
   */
  get(streamId: string): ResultAsync<Snapshot | undefined, StoreError> {
    return this.getHead(streamId).map((head) => head?.snapshot);
  }

  /**
   * Writes a commit as the head's pending commit with one conditional `UpdateItem`: the head
   * moves to `commit.toVersion` with the new state, `pendingSince` is set (the sparse index), and
   * the command id is remembered. Returns the head as it was before (`ReturnValues: ALL_OLD`).
   *
   * Failure behaviour: `HeadConflict` with the current head when the head is not at
   * `expectedVersion`, has a pending commit or has applied the command id; `StoreError`
   * `LimitExceeded` when the head would exceed 400 KB (nothing written); `InvalidInput`,
   * `Unavailable`, `Unexpected` as for every call. Throws `RangeError` for a commit of another
   * stream or one that does not follow `expectedVersion`.
   *
   * @example
   * ```ts
   * const result = await heads.writeHead('cart-1', { expectedVersion: 3, commit, snapshot: { state, stateVersion: 1 } });
   * ```
   */
  writeHead(
    streamId: string,
    write: HeadWrite,
  ): ResultAsync<{ readonly previous: StreamHead | undefined }, HeadConflict | StoreError> {
    const prepared = this.#prepareWrite(streamId, write);
    if (prepared.isErr()) return errAsync(prepared.error);
    const { table, update } = prepared.value;
    return attempt(
      () =>
        this.#client.send(
          new UpdateItemCommand({
            ...update,
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      (error) => {
        if (errorName(error) !== 'ConditionalCheckFailedException') {
          return err(
            awsStoreError(error, `writing the head of ${streamId} to ${table}`, { streamId }),
          );
        }
        const item = (error as { Item?: Record<string, AttributeValue> }).Item;
        if (item === undefined) return err(headConflict(streamId, write, undefined));
        const current = decodeHeadItem(item, table, streamId);
        return err(current.isOk() ? headConflict(streamId, write, current.value) : current.error);
      },
    ).andThen(({ Attributes }) => {
      if (Attributes === undefined) return ok({ previous: undefined });
      return decodeHeadItem(Attributes, table, streamId)
        .map((previous) => ({ previous }))
        .mapErr((error) => ({
          ...error,
          message: `${error.message} (the head write of ${describeCommit(write.commit)} was applied; only the previous head could not be read)`,
        }));
    });
  }

  /**
   * Writes several heads in one `TransactWriteItems`, each with the condition of
   * {@link DynamoDBStreamHeadStore.writeHead}: all or none.
   *
   * Failure behaviour: `HeadConflict` naming the first stream (in map order) whose condition
   * failed, with its current head from the cancellation reason; `StoreError` `LimitExceeded` for
   * more than 100 heads, a head over 400 KB or a transaction over 4 MB (nothing written),
   * `Unavailable` when the transaction was cancelled by a conflicting write or throttling
   * (the message names each stream and reason).
   *
   * @example
   * ```ts
   * await heads.writeHeads(new Map([['product-1', writeA], ['product-2', writeB]]));
   * ```
   */
  writeHeads(writes: ReadonlyMap<string, HeadWrite>): ResultAsync<void, HeadConflict | StoreError> {
    if (writes.size === 0) return okAsync(undefined);
    if (writes.size > MAX_TRANSACTION_ITEMS) {
      return errAsync(
        storeError(
          'LimitExceeded',
          `${writes.size} head writes do not fit one DynamoDB transaction (at most ${MAX_TRANSACTION_ITEMS}); nothing was written`,
        ),
      );
    }
    const prepared: PreparedWrite[] = [];
    for (const [streamId, write] of writes) {
      const one = this.#prepareWrite(streamId, write);
      if (one.isErr()) return errAsync(one.error);
      prepared.push(one.value);
    }
    const totalBytes = prepared.reduce((sum, write) => sum + write.itemBytes, 0);
    if (totalBytes > MAX_TRANSACTION_BYTES) {
      return errAsync(
        storeError(
          'LimitExceeded',
          `the heads of ${writes.size} streams would be ${totalBytes} bytes, over DynamoDB's ${MAX_TRANSACTION_BYTES}-byte transaction limit; nothing was written`,
        ),
      );
    }
    return attempt(
      async () => {
        await this.#client.send(
          new TransactWriteItemsCommand({
            TransactItems: prepared.map(({ update }) => ({
              Update: {
                ...update,
                UpdateExpression: update.UpdateExpression ?? '',
                TableName: update.TableName ?? '',
                Key: update.Key ?? {},
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            })),
          }),
        );
      },
      (error): Result<void, HeadConflict | StoreError> =>
        err(
          errorName(error) === 'TransactionCanceledException'
            ? cancellationError(
                prepared,
                (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons,
                error,
              )
            : awsStoreError(
                error,
                `writing the heads of ${prepared.map((write) => write.streamId).join(', ')}`,
              ),
        ),
    );
  }

  /**
   * Removes the pending commit at `version` (and `pendingSince`, so the head leaves the sparse
   * index), stores the log `position`, and forgets the given command ids, in one conditional
   * `UpdateItem`. Returns `false`, not an error, when the head is not at `version` or has no
   * pending commit any more (someone else acknowledged it).
   *
   * Failure behaviour: `StoreError` (`InvalidInput`, `LimitExceeded` when the command ids to
   * forget make the update expression longer than DynamoDB's 4 KB, `Unavailable`, `Unexpected`).
   *
   * @example
   * ```ts
   * const acknowledged = await heads.acknowledge('cart-1', 4, sequenceNumber, { forgetCommands: ['cmd-1'] });
   * ```
   */
  acknowledge(
    streamId: string,
    version: number,
    position: string,
    options: AcknowledgeOptions = {},
  ): ResultAsync<boolean, StoreError> {
    assertVersion('version', version);
    const invalid = this.#checkStreamId(streamId);
    if (invalid !== undefined) return errAsync(invalid);
    const table = this.#table(streamId);
    const e = new ExpressionBuilder();
    const forget = [...new Set(options.forgetCommands ?? [])].filter((id) => id !== '');
    const removed = [
      e.name(A.pending),
      e.name(A.pendingEncoding),
      e.name(A.pendingSince),
      ...forget.map((commandId) => `${e.name(A.recentCommands)}.${e.key(commandId)}`),
    ];
    const updateExpression = `SET ${e.name(A.lastPosition)} = ${e.value({ S: position })} REMOVE ${removed.join(', ')}`;
    if (Buffer.byteLength(updateExpression) > MAX_EXPRESSION_BYTES) {
      return errAsync(
        storeError(
          'LimitExceeded',
          `acknowledging ${streamId}@${version} while forgetting ${forget.length} commands needs an update expression over DynamoDB's ${MAX_EXPRESSION_BYTES}-byte limit; forget fewer at a time`,
          { streamId, version },
        ),
      );
    }
    const condition = `${e.name(A.version)} = ${e.value({ N: String(version) })} AND attribute_exists(${e.name(A.pending)})`;
    return attempt(
      async () => {
        await this.#client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: this.#key(streamId),
            UpdateExpression: updateExpression,
            ConditionExpression: condition,
            ...e.params(),
          }),
        );
        return true;
      },
      (error): Result<boolean, StoreError> =>
        errorName(error) === 'ConditionalCheckFailedException'
          ? ok(false)
          : err(
              awsStoreError(error, `acknowledging ${streamId}@${version} in ${table}`, {
                streamId,
                version,
              }),
            ),
    );
  }

  /**
   * Heads with a pending commit, oldest `pendingSince` first, from a `Scan` of the sparse index
   * of every table in `tables`. The index holds only unpublished commits, so it stays small; it
   * is read whole and sorted here (`limit` applies after sorting). The index is eventually
   * consistent and does not carry the state: the heads have no snapshot, may lag by a moment,
   * and a sweeper should `getHead` each one before acting on it.
   *
   * Failure behaviour: `StoreError` (`Unavailable`, `Unexpected` for a corrupt item). Throws
   * `TypeError` when `tableName` is a function and no `tables` were given.
   *
   * @example
   * ```ts
   * const stale = await heads.listPending({ minAgeMs: 30_000, limit: 100 });
   * ```
   */
  listPending(options: ListPendingOptions = {}): ResultAsync<readonly StreamHead[], StoreError> {
    const tables = this.#tables;
    if (tables === undefined) {
      throw new TypeError(
        'listPending needs the option `tables` when `tableName` is a function: the store cannot enumerate the tables of a function',
      );
    }
    const minAgeMs = options.minAgeMs ?? 0;
    const cutoff =
      minAgeMs > 0 ? new Date(this.#clock().getTime() - minAgeMs).toISOString() : undefined;
    return ResultAsync.combine(tables.map((table) => this.#scanPending(table, cutoff))).map(
      (lists) => {
        const heads = lists
          .flat()
          .filter((head) => head.pending !== undefined)
          .sort(
            (a, b) =>
              (a.pendingSince ?? '').localeCompare(b.pendingSince ?? '') ||
              a.streamId.localeCompare(b.streamId),
          );
        return options.limit === undefined ? heads : heads.slice(0, Math.max(0, options.limit));
      },
    );
  }

  /**
   * Stores a snapshot as the head's state and version (`SnapshotStore`), with one conditional
   * `UpdateItem`: `NO_STREAM` needs no head, a number needs the head at that version, `ANY` is
   * unconditional. The pending commit, position and commands of an existing head are kept.
   *
   * Failure behaviour: `ConcurrencyError` (with `actualVersion` from the item DynamoDB found)
   * when the condition fails; `StoreError` `LimitExceeded` for a head over 400 KB (nothing
   * written), `InvalidInput`, `Unavailable`, `Unexpected`.
   *
   * @example
   * ```ts
   * await heads.put('cart-1', { version: 3, state, stateVersion: 1 }, { expectedVersion: 2 });
   * ```
   */
  put(
    streamId: string,
    snapshot: Snapshot,
    options: { readonly expectedVersion: ExpectedSnapshotVersion },
  ): ResultAsync<void, ConcurrencyError | StoreError> {
    assertVersion('snapshot version', snapshot.version);
    assertVersion('stateVersion', snapshot.stateVersion);
    const expected = options.expectedVersion;
    if (typeof expected === 'number') assertVersion('expected version', expected);
    const invalid = this.#checkStreamId(streamId);
    if (invalid !== undefined) return errAsync(invalid);
    const table = this.#table(streamId);
    const state = this.#encode(streamId, 'state', snapshot.state);
    if (state.isErr()) return errAsync(state.error);

    const isNew = expected === NO_STREAM;
    const attributes: Record<string, AttributeValue> = {
      [A.streamId]: { S: streamId },
      [A.version]: { N: String(snapshot.version) },
      [A.state]: state.value.value,
      [A.stateEncoding]: { S: state.value.encoding },
      [A.stateVersion]: { N: String(snapshot.stateVersion) },
      [A.recentCommands]: { M: {} },
    };
    const tooLarge = this.#checkItemSize(
      streamId,
      attributeMapBytes(attributes) + (isNew ? 0 : this.#reserve),
      `state ${describePayload(state.value)}`,
    );
    if (tooLarge !== undefined) return errAsync(tooLarge);

    const e = new ExpressionBuilder();
    const sets = [A.version, A.state, A.stateEncoding, A.stateVersion].map(
      (name) => `${e.name(name)} = ${e.value(attributes[name] ?? { NULL: true })}`,
    );
    sets.push(
      `${e.name(A.recentCommands)} = if_not_exists(${e.name(A.recentCommands)}, ${e.value({ M: {} })})`,
    );
    let condition: string | undefined;
    if (expected === NO_STREAM) condition = `attribute_not_exists(${e.name(A.streamId)})`;
    else if (expected === 0) {
      condition = `attribute_not_exists(${e.name(A.streamId)}) OR ${e.name(A.version)} = ${e.value({ N: '0' })}`;
    } else if (expected !== ANY) {
      condition = `${e.name(A.version)} = ${e.value({ N: String(expected) })}`;
    }
    // A snapshot must never move a head under its unpublished commit: the acknowledgement would
    // then never match, and the commit would stay pending for ever.
    const notPending = `attribute_not_exists(${e.name(A.pending)})`;
    condition = condition === undefined ? notPending : `(${condition}) AND ${notPending}`;
    return attempt(
      async () => {
        await this.#client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: this.#key(streamId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ...(condition === undefined ? {} : { ConditionExpression: condition }),
            ...e.params(),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
      },
      (error): Result<void, ConcurrencyError | StoreError> => {
        if (errorName(error) !== 'ConditionalCheckFailedException') {
          return err(
            awsStoreError(error, `writing the snapshot of ${streamId} to ${table}`, { streamId }),
          );
        }
        const old = (error as { Item?: Record<string, AttributeValue> }).Item;
        const actual = rawVersion(old);
        return err(
          concurrencyError({
            streamId,
            expectedVersion: expected,
            ...(actual === undefined ? {} : { actualVersion: actual }),
            message:
              old?.[A.pending] !== undefined
                ? `snapshot of ${streamId} not written: its head has an unpublished commit at version ${actual}`
                : `snapshot of ${streamId} is at ${actual ?? 'none'}, not at the expected ${String(expected)}`,
          }),
        );
      },
    );
  }

  #table(streamId: string): string {
    return typeof this.#tableName === 'string' ? this.#tableName : this.#tableName(streamId);
  }

  #key(streamId: string): Record<string, AttributeValue> {
    return { [A.streamId]: { S: streamId } };
  }

  #checkStreamId(streamId: string): StoreError | undefined {
    if (typeof streamId !== 'string') {
      throw new TypeError(`a stream id must be a string, got ${typeof streamId}`);
    }
    if (streamId === '') return invalidStreamId(streamId, 'is empty');
    const bytes = keyBytes(streamId);
    if (bytes > MAX_PARTITION_KEY_BYTES) {
      return invalidStreamId(
        streamId,
        `is ${bytes} bytes long, over DynamoDB's ${MAX_PARTITION_KEY_BYTES}-byte partition key limit`,
      );
    }
    return undefined;
  }

  #checkItemSize(streamId: string, bytes: number, parts: string): StoreError | undefined {
    if (bytes <= MAX_ITEM_BYTES) return undefined;
    return storeError(
      'LimitExceeded',
      `the head of ${streamId} would be ${bytes} bytes (${parts}, with ${this.#reserve} bytes kept for its other attributes), over DynamoDB's ${MAX_ITEM_BYTES}-byte item limit; nothing was written`,
      { streamId },
    );
  }

  #encode(
    streamId: string,
    what: 'state' | 'pending commit',
    value: unknown,
  ): Result<EncodedPayload, StoreError> {
    return encodePayload(value, this.#threshold).mapErr((reason) =>
      storeError('InvalidInput', `the ${what} of ${streamId} cannot be stored: ${reason}`, {
        streamId,
      }),
    );
  }

  #prepareWrite(streamId: string, write: HeadWrite): Result<PreparedWrite, StoreError> {
    const { expectedVersion, commit } = write;
    assertVersion('expected version', expectedVersion);
    if (commit.streamId !== streamId) {
      throw new RangeError(
        `a commit of ${commit.streamId} cannot be written to the head of ${streamId}`,
      );
    }
    if (commit.fromVersion !== expectedVersion + 1 || commit.toVersion < commit.fromVersion) {
      throw new RangeError(
        `commit ${describeCommit(commit)} does not follow the expected version ${expectedVersion}`,
      );
    }
    const invalid = this.#checkStreamId(streamId);
    if (invalid !== undefined) return err(invalid);
    const commandId = commit.commandId;
    if (commandId === '') {
      return err(
        storeError('InvalidInput', `the command id of ${describeCommit(commit)} is empty`, {
          streamId,
        }),
      );
    }
    const state = this.#encode(streamId, 'state', write.snapshot.state);
    if (state.isErr()) return err(state.error);
    const pending = this.#encode(streamId, 'pending commit', commit);
    if (pending.isErr()) return err(pending.error);

    const isNew = expectedVersion === 0;
    const entry = commandId === undefined ? undefined : commandEntry(commit);
    const attributes: Record<string, AttributeValue> = {
      [A.version]: { N: String(commit.toVersion) },
      [A.state]: state.value.value,
      [A.stateEncoding]: { S: state.value.encoding },
      [A.stateVersion]: { N: String(write.snapshot.stateVersion) },
      [A.pending]: pending.value.value,
      [A.pendingEncoding]: { S: pending.value.encoding },
      [A.pendingSince]: { S: this.#clock().toISOString() },
      ...(commit.events[0] === undefined
        ? {}
        : { [A.lastCommitId]: { S: commit.events[0].eventId } }),
    };
    const itemBytes =
      attributeMapBytes({
        ...attributes,
        [A.streamId]: { S: streamId },
        [A.recentCommands]: {
          M: entry === undefined || commandId === undefined ? {} : { [commandId]: entry },
        },
      }) + (isNew ? 0 : this.#reserve);
    const tooLarge = this.#checkItemSize(
      streamId,
      itemBytes,
      `state ${describePayload(state.value)}, pending commit ${describePayload(pending.value)}`,
    );
    if (tooLarge !== undefined) return err(tooLarge);

    const e = new ExpressionBuilder();
    const sets = Object.entries(attributes).map(
      ([name, value]) => `${e.name(name)} = ${e.value(value)}`,
    );
    const conditions: string[] = [];
    if (isNew) {
      sets.push(
        `${e.name(A.recentCommands)} = ${e.value({
          M: entry === undefined || commandId === undefined ? {} : { [commandId]: entry },
        })}`,
      );
      conditions.push(`attribute_not_exists(${e.name(A.streamId)})`);
    } else {
      conditions.push(
        `${e.name(A.version)} = ${e.value({ N: String(expectedVersion) })}`,
        `attribute_not_exists(${e.name(A.pending)})`,
      );
      if (entry !== undefined && commandId !== undefined) {
        const path = `${e.name(A.recentCommands)}.${e.key(commandId)}`;
        sets.push(`${path} = ${e.value(entry)}`);
        conditions.push(`attribute_not_exists(${path})`);
      }
    }
    const table = this.#table(streamId);
    return ok({
      streamId,
      table,
      write,
      itemBytes,
      update: {
        TableName: table,
        Key: this.#key(streamId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ...e.params(),
      },
    });
  }

  #scanPending(table: string, cutoff: string | undefined): ResultAsync<StreamHead[], StoreError> {
    const heads: StreamHead[] = [];
    const page = (
      startKey: Record<string, AttributeValue> | undefined,
    ): ResultAsync<StreamHead[], StoreError> => {
      const e = new ExpressionBuilder();
      const filter =
        cutoff === undefined ? undefined : `${e.name(A.pendingSince)} <= ${e.value({ S: cutoff })}`;
      return attemptOrFail(
        () =>
          this.#client.send(
            new ScanCommand({
              TableName: table,
              IndexName: streamHeadTableSchema.pendingIndex.indexName,
              ...(filter === undefined ? {} : { FilterExpression: filter, ...e.params() }),
              ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
            }),
          ),
        (error) => awsStoreError(error, `scanning the pending commits of ${table}`),
      ).andThen(({ Items, LastEvaluatedKey }) => {
        for (const item of Items ?? []) {
          const head = decodeHeadItem(item, table);
          if (head.isErr()) return errAsync(head.error);
          heads.push(head.value);
        }
        return LastEvaluatedKey === undefined ? okAsync(heads) : page(LastEvaluatedKey);
      });
    };
    return page(undefined);
  }
}

/**
 * The same store for users who only want snapshots: a `SnapshotStore` over stream-head items
 * (`get`, conditional `put`). See {@link DynamoDBStreamHeadStore} for options and guarantees.
 *
 * @example
 * ```ts
 * const snapshots = new DynamoDBSnapshotStore({ client: { region: 'eu-west-1' }, tableName: 'snapshots' });
 * await snapshots.put('cart-1', { version: 3, state, stateVersion: 1 }, { expectedVersion: NO_STREAM });
 * ```
 */
export class DynamoDBSnapshotStore extends DynamoDBStreamHeadStore {}
