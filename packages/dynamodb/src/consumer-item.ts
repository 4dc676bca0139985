import {
  type AttributeValue,
  type DynamoDBClient,
  type DynamoDBClientConfig,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type Checkpoint,
  err,
  errAsync,
  type Lease,
  ok,
  type Result,
  type ResultAsync,
  type StoreError,
  storeError,
  toValidationIssues,
} from '@tributary/core';
import * as t from 'io-ts';
import { attemptOrFail } from './async-result.js';
import { type DynamoDBClientLike, resolveClient } from './dynamodb-stream-head-store-options.js';
import { awsStoreError } from './errors.js';
import { keyBytes, MAX_PARTITION_KEY_BYTES } from './limits.js';
import { ExpressionBuilder } from './update-expression.js';

/**
 * The longest sort key value: 1024 bytes (UTF-8). The consumer table's sort key is the
 * partition (shard id), so a partition name is at most this long.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys
 *
 * @example
 * ```ts
 * const fits = Buffer.byteLength(shardId) <= MAX_SORT_KEY_BYTES;
 * ```
 */
export const MAX_SORT_KEY_BYTES = 1024;

/**
 * Options of `DynamoDBCheckpointStore` and `DynamoDBLeaseStore`.
 *
 * @example
 * ```ts
 * const options: DynamoDBConsumerStoreOptions = { client: { region: 'eu-west-1' }, tableName: 'consumers' };
 * const checkpoints = new DynamoDBCheckpointStore(options);
 * const leases = new DynamoDBLeaseStore(options);
 * ```
 */
export interface DynamoDBConsumerStoreOptions {
  /**
   * A ready client (used as it is, never destroyed by the store), or the configuration of one
   * the store creates (and destroys in `close()`).
   */
  readonly client: DynamoDBClientLike | DynamoDBClientConfig;
  /** The consumer table, with the layout of `consumerTableDefinition`. */
  readonly tableName: string;
  /**
   * The clock that stamps checkpoints and leases and decides whether a lease has expired
   * (default: the system clock). Workers sharing leases should have clocks within a small
   * fraction of the lease TTL of each other.
   */
  readonly clock?: () => Date;
}

/**
 * The attribute names of a consumer item: the keys, the checkpoint (`position`, `updatedAt`, ISO)
 * and the lease (`owner`, `expiresAtMs` as epoch milliseconds for conditions, `expiresAt` as ISO
 * for people, `token`).
 *
 * @example
 * ```ts
 * const { Item } = await client.send(new GetItemCommand({ TableName: 'consumers', Key: key }));
 * const owner = Item?.[CONSUMER_ATTRIBUTES.owner]?.S;
 * ```
 */
export const CONSUMER_ATTRIBUTES = {
  consumer: 'consumer',
  partition: 'partition',
  position: 'position',
  updatedAt: 'updatedAt',
  owner: 'owner',
  expiresAtMs: 'expiresAtMs',
  expiresAt: 'expiresAt',
  token: 'token',
} as const;

const A = CONSUMER_ATTRIBUTES;

/** The client, table and clock of a consumer store, resolved from its options. */
export class ConsumerTable {
  readonly client: DynamoDBClientLike;
  readonly owned: DynamoDBClient | undefined;
  readonly tableName: string;
  readonly clock: () => Date;

  constructor(options: DynamoDBConsumerStoreOptions) {
    if (typeof options.tableName !== 'string' || options.tableName === '') {
      throw new TypeError('tableName must be a non-empty string');
    }
    const { client, owned } = resolveClient(options.client);
    this.client = client;
    this.owned = owned;
    this.tableName = options.tableName;
    this.clock = options.clock ?? (() => new Date());
  }

  key(consumer: string, partition: string): Record<string, AttributeValue> {
    return { [A.consumer]: { S: consumer }, [A.partition]: { S: partition } };
  }

  /** Every item of a consumer that has `attribute`, strongly consistent, all pages. */
  query(
    consumer: string,
    attribute: string,
    what: string,
  ): ResultAsync<Record<string, AttributeValue>[], StoreError> {
    const invalid = checkConsumer(consumer);
    if (invalid !== undefined) return errAsync(invalid);
    return attemptOrFail(
      async () => {
        const items: Record<string, AttributeValue>[] = [];
        let startKey: Record<string, AttributeValue> | undefined;
        do {
          const x = new ExpressionBuilder();
          const page = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: `${x.name(A.consumer)} = ${x.value({ S: consumer })}`,
              FilterExpression: `attribute_exists(${x.name(attribute)})`,
              ConsistentRead: true,
              ...x.params(),
              ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
            }),
          );
          items.push(...(page.Items ?? []));
          startKey = page.LastEvaluatedKey;
        } while (startKey !== undefined);
        return items;
      },
      (error) =>
        awsStoreError(error, `listing the ${what} of ${consumer} in ${this.tableName}`, {
          streamId: consumer,
        }),
    );
  }
}

/** `consumer/partition`, the id errors carry as `streamId`. */
export const itemId = (consumer: string, partition: string): string => `${consumer}/${partition}`;

const invalidKey = (id: string, reason: string): StoreError =>
  storeError('InvalidInput', `${reason}; nothing was read or written`, { streamId: id });

const checkConsumer = (consumer: string): StoreError | undefined => {
  if (typeof consumer !== 'string') {
    throw new TypeError(`a consumer must be a string, got ${typeof consumer}`);
  }
  if (consumer === '') return invalidKey(consumer, 'the consumer name is empty');
  const bytes = keyBytes(consumer);
  return bytes > MAX_PARTITION_KEY_BYTES
    ? invalidKey(
        consumer.slice(0, 80),
        `the consumer name is ${bytes} bytes long, over DynamoDB's ${MAX_PARTITION_KEY_BYTES}-byte partition key limit`,
      )
    : undefined;
};

/**
 * Checks that a consumer and a partition fit the table's keys: non-empty, within DynamoDB's
 * partition and sort key limits. Returns the `InvalidInput` error, or `undefined` when they fit.
 */
export const checkKeys = (consumer: string, partition: string): StoreError | undefined => {
  const invalid = checkConsumer(consumer);
  if (invalid !== undefined) return invalid;
  if (typeof partition !== 'string') {
    throw new TypeError(`a partition must be a string, got ${typeof partition}`);
  }
  const id = itemId(consumer, partition);
  if (partition === '') return invalidKey(id, `the partition name of ${consumer} is empty`);
  const bytes = keyBytes(partition);
  return bytes > MAX_SORT_KEY_BYTES
    ? invalidKey(
        id.slice(0, 160),
        `the partition name is ${bytes} bytes long, over DynamoDB's ${MAX_SORT_KEY_BYTES}-byte sort key limit`,
      )
    : undefined;
};

const S = t.type({ S: t.string }, 'S');
const IntegerString = t.refinement(
  t.string,
  (text) => /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)),
  'integer',
);
const N = t.type({ N: IntegerString }, 'N');

const CheckpointItem = t.type({ consumer: S, partition: S, position: S, updatedAt: S });
const LeaseItem = t.type({ consumer: S, partition: S, owner: S, expiresAtMs: N, token: N });

const decodeItem = <A>(
  codec: t.Decoder<unknown, A>,
  item: Readonly<Record<string, AttributeValue>>,
  what: string,
  table: string,
): Result<A, StoreError> => {
  const decoded = codec.decode(item);
  if (decoded._tag === 'Right') return ok(decoded.right);
  const id = itemId(item.consumer?.S ?? '(unknown consumer)', item.partition?.S ?? '(unknown)');
  const issues = toValidationIssues(decoded.left)
    .map(
      (issue) =>
        `${issue.path === '' ? '(root)' : issue.path}: ${issue.message ?? `expected ${issue.expected}, got ${issue.actual}`}`,
    )
    .join('; ');
  return err(
    storeError('Unexpected', `the ${what} item of ${id} in table ${table} is corrupt: ${issues}`, {
      streamId: id,
    }),
  );
};

/** Turns a consumer item into its checkpoint; a malformed item is a `StoreError` naming every failing path. */
export const decodeCheckpoint = (
  item: Readonly<Record<string, AttributeValue>>,
  table: string,
): Result<{ readonly partition: string; readonly checkpoint: Checkpoint }, StoreError> =>
  decodeItem(CheckpointItem, item, 'checkpoint', table).map((raw) => ({
    partition: raw.partition.S,
    checkpoint: { position: raw.position.S, updatedAt: raw.updatedAt.S },
  }));

/**
 * Turns a consumer item into its lease. `expiresAtMs` is the truth (conditions compare it);
 * the stored `expiresAt` string is only there for people reading the table.
 */
export const decodeLease = (
  item: Readonly<Record<string, AttributeValue>>,
  table: string,
): Result<Lease, StoreError> =>
  decodeItem(LeaseItem, item, 'lease', table).map((raw) => ({
    consumer: raw.consumer.S,
    partition: raw.partition.S,
    owner: raw.owner.S,
    expiresAt: new Date(Number(raw.expiresAtMs.N)).toISOString(),
    token: Number(raw.token.N),
  }));

/** The item DynamoDB returns with a `ConditionalCheckFailedException` (`ALL_OLD`), if any. */
export const conditionItem = (
  error: unknown,
): Readonly<Record<string, AttributeValue>> | undefined =>
  typeof error === 'object' && error !== null && 'Item' in error
    ? (error.Item as Record<string, AttributeValue> | undefined)
    : undefined;
