import { type AttributeValue, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  err,
  errAsync,
  type Lease,
  type LeaseStore,
  ok,
  type Result,
  type ResultAsync,
  type StoreError,
} from '@tributary/core';
import { attempt } from './async-result.js';
import {
  CONSUMER_ATTRIBUTES as A,
  ConsumerTable,
  checkKeys,
  type DynamoDBConsumerStoreOptions,
  decodeLease,
  itemId,
} from './consumer-item.js';
import { awsStoreError, errorName } from './errors.js';
import { ExpressionBuilder } from './update-expression.js';

const assertTtl = (ttlMs: number): void => {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`a lease TTL must be a positive integer of milliseconds, got ${ttlMs}`);
  }
};

/** `SET` of the expiry, in both forms: the number conditions compare, the string people read. */
const setExpiry = (x: ExpressionBuilder, expiresAtMs: number): string =>
  `${x.name(A.expiresAtMs)} = ${x.value({ N: String(expiresAtMs) })}, ${x.name(A.expiresAt)} = ${x.value({ S: new Date(expiresAtMs).toISOString() })}`;

const addOneToToken = (x: ExpressionBuilder): string =>
  `ADD ${x.name(A.token)} ${x.value({ N: '1' })}`;

/** The condition that `lease` is still the partition's current lease. */
const stillHeld = (x: ExpressionBuilder, lease: Lease): string =>
  `${x.name(A.owner)} = ${x.value({ S: lease.owner })} AND ${x.name(A.token)} = ${x.value({ N: String(lease.token) })}`;

/**
 * Leases of Kinesis consumers in DynamoDB, for workers that share a stream's shards: one item
 * per consumer and partition in a consumer table (`consumerTableDefinition`), the same item that
 * a {@link DynamoDBCheckpointStore} on the same table keeps the partition's checkpoint in.
 * Implements core's `LeaseStore`.
 *
 * Each operation is one conditional `UpdateItem` that raises the lease's `token` by one:
 * - `acquire` succeeds if the item has no owner, its `expiresAtMs` is at or before the clock's
 *   now, or the caller already owns it; so of concurrent callers exactly one wins a free or
 *   expired lease;
 * - `renew` and `release` succeed only while owner and token are those of the given lease;
 *   `release` sets the expiry to 0 (the epoch), so any worker may take the lease at once.
 *
 * Expiry is decided by the caller's clock (option `clock`), compared with the stored
 * `expiresAtMs`: workers' clocks must agree to well within the TTL. `list` is one strongly
 * consistent, paged `Query` and returns expired and released leases too.
 *
 * Failure behaviour: losing the race is not an error (`undefined`, or nothing for `release`);
 * `StoreError` `InvalidInput` for an empty consumer or partition or one over the key limits,
 * `Unavailable` for throttling, 5xx and network failures, `Unexpected` for a corrupt item or
 * another service error. A TTL that is not a positive integer throws `RangeError`; non-AWS
 * exceptions are rethrown.
 *
 * @example
 * ```ts
 * const leases = new DynamoDBLeaseStore({ client: new DynamoDBClient({}), tableName: 'consumers' });
 * const lease = await leases.acquire('projector', 'shardId-000000000000', workerId, 30_000);
 * if (lease.isOk() && lease.value !== undefined) {
 *   // read the shard; renew every 10 s with the latest lease: leases.renew(current, 30_000)
 * }
 * ```
 */
export class DynamoDBLeaseStore implements LeaseStore {
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
   * const leases = new DynamoDBLeaseStore({ client: { region: 'eu-west-1' }, tableName: 'consumers' });
   * leases.close();
   * ```
   */
  close(): void {
    this.#table.owned?.destroy();
  }

  /**
   * Takes the lease of a partition for `ttlMs` if nobody holds it, it has expired, or `owner`
   * holds it already. Returns the new lease, or `undefined` when another owner holds it.
   *
   * Failure behaviour: `StoreError` (`InvalidInput`, `Unavailable`, `Unexpected`).
   *
   * @example
   * ```ts
   * const lease = await leases.acquire('projector', 'shardId-000000000000', 'worker-1', 30_000);
   * ```
   */
  acquire(
    consumer: string,
    partition: string,
    owner: string,
    ttlMs: number,
  ): ResultAsync<Lease | undefined, StoreError> {
    assertTtl(ttlMs);
    if (typeof owner !== 'string' || owner === '') {
      throw new TypeError('a lease owner must be a non-empty string');
    }
    const invalid = checkKeys(consumer, partition);
    if (invalid !== undefined) return errAsync(invalid);
    const now = this.#table.clock().getTime();
    const x = new ExpressionBuilder();
    const me = x.value({ S: owner });
    return this.#update(
      consumer,
      partition,
      `acquiring the lease of ${itemId(consumer, partition)} for ${owner}`,
      x,
      `SET ${x.name(A.owner)} = ${me}, ${setExpiry(x, now + ttlMs)} ${addOneToToken(x)}`,
      `attribute_not_exists(${x.name(A.owner)}) OR ${x.name(A.expiresAtMs)} <= ${x.value({ N: String(now) })} OR ${x.name(A.owner)} = ${me}`,
    );
  }

  /**
   * Extends a lease its owner still holds to `ttlMs` from now; `undefined` when it was lost
   * (taken, released, or renewed since: its token changed).
   *
   * Failure behaviour: as {@link DynamoDBLeaseStore.acquire}.
   *
   * @example
   * ```ts
   * const renewed = await leases.renew(lease, 30_000); // Ok(undefined): stop reading the shard
   * ```
   */
  renew(lease: Lease, ttlMs: number): ResultAsync<Lease | undefined, StoreError> {
    assertTtl(ttlMs);
    const invalid = checkKeys(lease.consumer, lease.partition);
    if (invalid !== undefined) return errAsync(invalid);
    const x = new ExpressionBuilder();
    return this.#update(
      lease.consumer,
      lease.partition,
      `renewing the lease of ${itemId(lease.consumer, lease.partition)} for ${lease.owner}`,
      x,
      `SET ${setExpiry(x, this.#table.clock().getTime() + ttlMs)} ${addOneToToken(x)}`,
      stillHeld(x, lease),
    );
  }

  /**
   * Gives a lease up so another worker may take it at once; nothing happens when it was lost.
   *
   * Failure behaviour: as {@link DynamoDBLeaseStore.acquire}.
   *
   * @example
   * ```ts
   * await leases.release(lease); // on shutdown, so another worker need not wait for the expiry
   * ```
   */
  release(lease: Lease): ResultAsync<void, StoreError> {
    const invalid = checkKeys(lease.consumer, lease.partition);
    if (invalid !== undefined) return errAsync(invalid);
    const x = new ExpressionBuilder();
    return this.#update(
      lease.consumer,
      lease.partition,
      `releasing the lease of ${itemId(lease.consumer, lease.partition)} for ${lease.owner}`,
      x,
      `SET ${setExpiry(x, 0)} ${addOneToToken(x)}`,
      stillHeld(x, lease),
    ).map(() => undefined);
  }

  /**
   * Every lease of a consumer, expired and released ones too: one strongly consistent, paged
   * `Query`.
   *
   * Failure behaviour: `StoreError` (`InvalidInput`, `Unavailable`, `Unexpected`).
   *
   * @example
   * ```ts
   * const mine = (await leases.list('projector')).map((all) => all.filter((l) => l.owner === workerId));
   * ```
   */
  list(consumer: string): ResultAsync<readonly Lease[], StoreError> {
    return this.#table.query(consumer, A.owner, 'leases').andThen((items) => {
      const leases: Lease[] = [];
      for (const item of items) {
        const decoded = decodeLease(item, this.#table.tableName);
        if (decoded.isErr()) return err(decoded.error);
        leases.push(decoded.value);
      }
      return ok(leases);
    });
  }

  /** One conditional update returning the lease after it; a failed condition is `undefined`. */
  #update(
    consumer: string,
    partition: string,
    what: string,
    x: ExpressionBuilder,
    update: string,
    condition: string,
  ): ResultAsync<Lease | undefined, StoreError> {
    const { client, tableName } = this.#table;
    const id = itemId(consumer, partition);
    return attempt(
      async () => {
        const { Attributes } = await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: this.#table.key(consumer, partition),
            UpdateExpression: update,
            ConditionExpression: condition,
            ...x.params(),
            ReturnValues: 'ALL_NEW',
          }),
        );
        // ALL_NEW always returns the item; an empty one fails decoding as a corrupt lease.
        return Attributes ?? {};
      },
      (error): Result<Record<string, AttributeValue> | undefined, StoreError> =>
        errorName(error) === 'ConditionalCheckFailedException'
          ? ok(undefined)
          : err(awsStoreError(error, `${what} in ${tableName}`, { streamId: id })),
    ).andThen(
      (attributes): Result<Lease | undefined, StoreError> =>
        attributes === undefined ? ok(undefined) : decodeLease(attributes, tableName),
    );
  }
}
