import { type AttributeValue, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type Checkpoint,
  type CheckpointStore,
  type ConcurrencyError,
  concurrencyError,
  err,
  errAsync,
  ok,
  type PutCheckpointOptions,
  type Result,
  type ResultAsync,
  type StoreError,
} from '@tributary/core';
import { attempt, attemptOrFail } from './async-result.js';
import {
  CONSUMER_ATTRIBUTES as A,
  ConsumerTable,
  checkKeys,
  conditionItem,
  type DynamoDBConsumerStoreOptions,
  decodeCheckpoint,
  itemId,
} from './consumer-item.js';
import { awsStoreError, errorName } from './errors.js';
import { ExpressionBuilder } from './update-expression.js';

/**
 * Options of {@link DynamoDBCheckpointStore.put}: core's `expectedPosition`, and a lease fence.
 *
 * @example
 * ```ts
 * const options: DynamoDBPutCheckpointOptions = { expectedPosition: '41', leaseToken: lease.token };
 * await checkpoints.put('projector', lease.partition, '42', options);
 * ```
 */
export interface DynamoDBPutCheckpointOptions extends PutCheckpointOptions {
  /**
   * The `token` of the writer's current lease on this partition (from `DynamoDBLeaseStore` on
   * the same table). The put is applied only while the partition's lease still has this token,
   * so a worker whose lease was taken (or released, or renewed since) writes nothing and gets a
   * `ConcurrencyError`. Every renewal raises the token: pass the latest lease's token.
   */
  readonly leaseToken?: number;
}

const describeConflict = (
  id: string,
  options: DynamoDBPutCheckpointOptions,
  current: Readonly<Record<string, AttributeValue>> | undefined,
): ConcurrencyError => {
  const position = current?.[A.position]?.S;
  const tokenText = current?.[A.token]?.N;
  const token = tokenText === undefined ? undefined : Number(tokenText);
  const { expectedPosition, leaseToken } = options;
  // DynamoDB returns the old item with the failure when there was one (`ALL_OLD`): no item
  // means no checkpoint and no lease. Name the part of the condition that failed.
  const positionFailed = expectedPosition !== undefined && (position ?? null) !== expectedPosition;
  if (positionFailed || leaseToken === undefined) {
    return concurrencyError({
      streamId: id,
      expectedVersion: expectedPosition ?? 'none',
      message: `checkpoint of ${id} is at ${position ?? 'none'}, not at the expected ${expectedPosition ?? 'none'}; nothing was written`,
    });
  }
  const owner = current?.[A.owner]?.S;
  return concurrencyError({
    streamId: id,
    expectedVersion: leaseToken,
    ...(token === undefined ? {} : { actualVersion: token }),
    message: `the lease of ${id} ${token === undefined ? 'does not exist' : `has token ${token}${owner === undefined ? '' : ` (owner ${owner})`}`}, not the writer's token ${leaseToken}; nothing was written`,
  });
};

/**
 * The checkpoints of Kinesis consumers in DynamoDB: one item per consumer and partition (shard)
 * in a consumer table (`consumerTableDefinition`), which it may share with a
 * {@link DynamoDBLeaseStore}. Implements core's `CheckpointStore`.
 *
 * Guarantees: `get` and `list` are strongly consistent (`list` is one paged `Query`); `put` is one
 * `UpdateItem` that touches only `position` and `updatedAt` (a lease in the same item is kept);
 * with `expectedPosition` it is conditional (`null`: no checkpoint yet), and with `leaseToken`
 * it is fenced by the partition's lease. A failed condition writes nothing and is a
 * `ConcurrencyError` saying which part failed, from the item DynamoDB returns with the failure.
 *
 * Failure behaviour: `ConcurrencyError` (see above); `StoreError` `InvalidInput` for an empty
 * consumer or partition or one over the key limits, `Unavailable` for throttling, 5xx and
 * network failures, `Unexpected` for a corrupt item (naming every failing path) or another
 * service error. Non-AWS exceptions are rethrown.
 *
 * @example
 * ```ts
 * const checkpoints = new DynamoDBCheckpointStore({ client: new DynamoDBClient({}), tableName: 'consumers' });
 * const last = await checkpoints.get('projector', 'shardId-000000000000');
 * await checkpoints.put('projector', 'shardId-000000000000', sequenceNumber, {
 *   expectedPosition: last.isOk() ? (last.value?.position ?? null) : undefined,
 * });
 * ```
 */
export class DynamoDBCheckpointStore implements CheckpointStore {
  readonly #table: ConsumerTable;

  /** Throws `TypeError` for an empty table name. */
  constructor(options: DynamoDBConsumerStoreOptions) {
    this.#table = new ConsumerTable(options);
  }

  /**
   * Destroys the client if the store created it from a configuration; a given client is left open.
   *
   * @example
   * ```ts
   * const checkpoints = new DynamoDBCheckpointStore({ client: { region: 'eu-west-1' }, tableName: 'consumers' });
   * checkpoints.close();
   * ```
   */
  close(): void {
    this.#table.owned?.destroy();
  }

  /**
   * The checkpoint of one partition (strongly consistent), `undefined` before the first put.
   *
   * Failure behaviour: `StoreError` (`InvalidInput`, `Unavailable`, `Unexpected`).
   *
   * @example
   * ```ts
   * const checkpoint = await checkpoints.get('projector', 'shardId-000000000000');
   * ```
   */
  get(consumer: string, partition: string): ResultAsync<Checkpoint | undefined, StoreError> {
    const invalid = checkKeys(consumer, partition);
    if (invalid !== undefined) return errAsync(invalid);
    const { client, tableName } = this.#table;
    const id = itemId(consumer, partition);
    return attemptOrFail(
      () =>
        client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: this.#table.key(consumer, partition),
            ConsistentRead: true,
          }),
        ),
      (error) =>
        awsStoreError(error, `reading the checkpoint of ${id} from ${tableName}`, {
          streamId: id,
        }),
    ).andThen(({ Item }) =>
      Item === undefined || Item[A.position] === undefined
        ? ok(undefined)
        : decodeCheckpoint(Item, tableName).map(({ checkpoint }) => checkpoint),
    );
  }

  /**
   * Stores the position up to which a consumer handled a partition, stamped with the clock's time.
   *
   * Failure behaviour: `ConcurrencyError` when `expectedPosition` or `leaseToken` does not match
   * (nothing written); `StoreError` as for {@link DynamoDBCheckpointStore.get}.
   *
   * @example
   * ```ts
   * await checkpoints.put('projector', 'shardId-000000000000', '4959...', { expectedPosition: null });
   * ```
   */
  put(
    consumer: string,
    partition: string,
    position: string,
    options: DynamoDBPutCheckpointOptions = {},
  ): ResultAsync<void, ConcurrencyError | StoreError> {
    const invalid = checkKeys(consumer, partition);
    if (invalid !== undefined) return errAsync(invalid);
    if (typeof position !== 'string') {
      throw new TypeError(`a checkpoint position must be a string, got ${typeof position}`);
    }
    const { leaseToken, expectedPosition } = options;
    if (leaseToken !== undefined && !Number.isSafeInteger(leaseToken)) {
      throw new RangeError(`leaseToken must be an integer, got ${leaseToken}`);
    }
    const { client, tableName, clock } = this.#table;
    const id = itemId(consumer, partition);
    const x = new ExpressionBuilder();
    const update = `SET ${x.name(A.position)} = ${x.value({ S: position })}, ${x.name(A.updatedAt)} = ${x.value({ S: clock().toISOString() })}`;
    const conditions: string[] = [];
    if (expectedPosition === null) conditions.push(`attribute_not_exists(${x.name(A.position)})`);
    if (typeof expectedPosition === 'string') {
      conditions.push(`${x.name(A.position)} = ${x.value({ S: expectedPosition })}`);
    }
    if (leaseToken !== undefined) {
      conditions.push(`${x.name(A.token)} = ${x.value({ N: String(leaseToken) })}`);
    }
    return attempt(
      async () => {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: this.#table.key(consumer, partition),
            UpdateExpression: update,
            ...(conditions.length === 0 ? {} : { ConditionExpression: conditions.join(' AND ') }),
            ...x.params(),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
      },
      (error): Result<void, ConcurrencyError | StoreError> =>
        err(
          errorName(error) === 'ConditionalCheckFailedException'
            ? describeConflict(id, options, conditionItem(error))
            : awsStoreError(error, `writing the checkpoint of ${id} to ${tableName}`, {
                streamId: id,
              }),
        ),
    );
  }

  /**
   * Every partition's checkpoint of one consumer: one strongly consistent, paged `Query`.
   *
   * Failure behaviour: `StoreError` as for {@link DynamoDBCheckpointStore.get}.
   *
   * @example
   * ```ts
   * const positions = await checkpoints.list('projector'); // Ok(Map { 'shardId-…' => { position, updatedAt } })
   * ```
   */
  list(consumer: string): ResultAsync<ReadonlyMap<string, Checkpoint>, StoreError> {
    return this.#table.query(consumer, A.position, 'checkpoints').andThen((items) => {
      const checkpoints = new Map<string, Checkpoint>();
      for (const item of items) {
        const decoded = decodeCheckpoint(item, this.#table.tableName);
        if (decoded.isErr()) return err(decoded.error);
        checkpoints.set(decoded.value.partition, decoded.value.checkpoint);
      }
      return ok(checkpoints);
    });
  }
}
