import {
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ConcurrencyError, Lease, StoreError } from '@tributary/core';
import {
  checkpointStoreContract,
  leaseStoreContract,
  uniqueName,
  unwrap,
  unwrapErr,
} from '@tributary/core/testing';
import {
  connectLocalAws,
  countRequests,
  injectFaults,
  SimulatedCrash,
  uniqueResourceName,
} from '@tributary/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type DynamoDBConsumerStoreOptions, MAX_SORT_KEY_BYTES } from './consumer-item.js';
import { consumerTableSchema, createConsumerTable } from './consumer-table.js';
import { DynamoDBCheckpointStore } from './dynamodb-checkpoint-store.js';
import { DynamoDBLeaseStore } from './dynamodb-lease-store.js';

const endpoints = inject('tributaryLocalAws');
const aws = connectLocalAws(endpoints);
const table = uniqueResourceName('consumers');
let tableReady: Promise<void> | undefined;

const ready = async () => {
  tableReady ??= unwrap(createConsumerTable(aws.dynamodb, table));
  await tableReady;
};

const options = (extra: Partial<DynamoDBConsumerStoreOptions> = {}) => ({
  client: aws.dynamodb,
  tableName: table,
  ...extra,
});

/** A clock a test moves by hand. */
const manualClock = () => {
  let now = Date.now();
  return {
    clock: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
};

const rawItem = async (consumer: string, partition: string) =>
  (
    await aws.dynamodb.send(
      new GetItemCommand({
        TableName: table,
        Key: { consumer: { S: consumer }, partition: { S: partition } },
        ConsistentRead: true,
      }),
    )
  ).Item;

const asConcurrencyError = (error: ConcurrencyError | StoreError): ConcurrencyError => {
  if (error.kind !== 'ConcurrencyError') {
    throw new Error(`expected a ConcurrencyError, got ${error.kind}: ${error.message}`);
  }
  return error;
};

const held = (lease: Lease | undefined): Lease => {
  if (lease === undefined) throw new Error('expected a lease');
  return lease;
};

afterAll(async () => {
  await aws.dynamodb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  aws.destroy();
});

const testApi = { describe, it, afterAll };

checkpointStoreContract('DynamoDBCheckpointStore', {
  create: async () => {
    await ready();
    return new DynamoDBCheckpointStore(options());
  },
  testApi,
});

leaseStoreContract('DynamoDBLeaseStore', {
  create: async (clock) => {
    await ready();
    return new DynamoDBLeaseStore(options({ clock }));
  },
  testApi,
});

describe('DynamoDB checkpoint and lease stores against DynamoDB Local', () => {
  it('creates the table idempotently, with consumer and partition as keys', async () => {
    await ready();
    await unwrap(createConsumerTable(aws.dynamodb, table));
    const { Table } = await aws.dynamodb.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: consumerTableSchema.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: consumerTableSchema.sortKey.name, KeyType: 'RANGE' },
    ]);
  });

  it('keeps a partition’s checkpoint and lease in one item without clobbering either', async () => {
    await ready();
    const time = manualClock();
    const checkpoints = new DynamoDBCheckpointStore(options({ clock: time.clock }));
    const leases = new DynamoDBLeaseStore(options({ clock: time.clock }));
    const consumer = uniqueName('shared');
    const lease = held(await unwrap(leases.acquire(consumer, 'shard-0', 'worker-a', 10_000)));
    await unwrap(checkpoints.put(consumer, 'shard-0', '100'));
    await unwrap(checkpoints.put(consumer, 'shard-1', '200')); // a checkpoint without a lease
    await unwrap(leases.acquire(consumer, 'shard-2', 'worker-b', 10_000)); // a lease, no checkpoint
    const renewed = held(await unwrap(leases.renew(lease, 10_000)));

    expect((await unwrap(checkpoints.get(consumer, 'shard-0')))?.position).toBe('100');
    expect(await unwrap(checkpoints.get(consumer, 'shard-2'))).toBeUndefined();
    expect([...(await unwrap(checkpoints.list(consumer))).keys()].sort()).toEqual([
      'shard-0',
      'shard-1',
    ]);
    expect(
      (await unwrap(leases.list(consumer))).map((l) => [l.partition, l.owner, l.token]).sort(),
    ).toEqual([
      ['shard-0', 'worker-a', renewed.token],
      ['shard-2', 'worker-b', 1],
    ]);
    const item = await rawItem(consumer, 'shard-0');
    expect(item).toEqual({
      consumer: { S: consumer },
      partition: { S: 'shard-0' },
      position: { S: '100' },
      updatedAt: { S: time.clock().toISOString() },
      owner: { S: 'worker-a' },
      expiresAtMs: { N: String(time.clock().getTime() + 10_000) },
      expiresAt: { S: renewed.expiresAt },
      token: { N: String(renewed.token) },
    });
  });

  it('fences a checkpoint by the lease token: a worker that lost its lease writes nothing', async () => {
    await ready();
    const time = manualClock();
    const checkpoints = new DynamoDBCheckpointStore(options({ clock: time.clock }));
    const leases = new DynamoDBLeaseStore(options({ clock: time.clock }));
    const consumer = uniqueName('fenced');
    const mine = held(await unwrap(leases.acquire(consumer, 'shard-0', 'worker-a', 10_000)));
    await unwrap(
      checkpoints.put(consumer, 'shard-0', '10', {
        expectedPosition: null,
        leaseToken: mine.token,
      }),
    );

    time.advance(10_001);
    const theirs = held(await unwrap(leases.acquire(consumer, 'shard-0', 'worker-b', 10_000)));
    const fenced = asConcurrencyError(
      await unwrapErr(
        checkpoints.put(consumer, 'shard-0', '11', {
          expectedPosition: '10',
          leaseToken: mine.token,
        }),
      ),
    );
    expect(fenced.streamId).toBe(`${consumer}/shard-0`);
    expect(fenced.expectedVersion).toBe(mine.token);
    expect(fenced.actualVersion).toBe(theirs.token);
    expect(fenced.message).toContain('worker-b');
    expect((await unwrap(checkpoints.get(consumer, 'shard-0')))?.position).toBe('10');

    // A renewal raises the token: the renewed lease's token is the one that writes.
    const renewed = held(await unwrap(leases.renew(theirs, 10_000)));
    await unwrapErr(checkpoints.put(consumer, 'shard-0', '12', { leaseToken: theirs.token }));
    await unwrap(
      checkpoints.put(consumer, 'shard-0', '12', {
        expectedPosition: '10',
        leaseToken: renewed.token,
      }),
    );
    expect((await unwrap(checkpoints.get(consumer, 'shard-0')))?.position).toBe('12');

    // A fenced put on a partition nobody ever leased fails too.
    const unleased = asConcurrencyError(
      await unwrapErr(checkpoints.put(consumer, 'shard-9', '1', { leaseToken: 1 })),
    );
    expect(unleased.message).toContain('does not exist');
    expect(await rawItem(consumer, 'shard-9')).toBeUndefined();
  });

  it('names the stored position in a failed conditional put', async () => {
    await ready();
    const checkpoints = new DynamoDBCheckpointStore(options());
    const consumer = uniqueName('conflict');
    await unwrap(checkpoints.put(consumer, 'shard-0', '42'));
    const error = asConcurrencyError(
      await unwrapErr(checkpoints.put(consumer, 'shard-0', '43', { expectedPosition: '41' })),
    );
    expect(error.streamId).toBe(`${consumer}/shard-0`);
    expect(error.expectedVersion).toBe('41');
    expect(error.message).toContain('is at 42');
    const missing = asConcurrencyError(
      await unwrapErr(checkpoints.put(consumer, 'shard-1', '1', { expectedPosition: '0' })),
    );
    expect(missing.message).toContain('is at none');
  });

  it('refuses empty and over-long keys before sending anything', async () => {
    await ready();
    const counted = connectLocalAws(endpoints);
    const requests = countRequests(counted.dynamodb);
    const checkpoints = new DynamoDBCheckpointStore({ client: counted.dynamodb, tableName: table });
    const leases = new DynamoDBLeaseStore({ client: counted.dynamodb, tableName: table });
    try {
      const long = 'x'.repeat(MAX_SORT_KEY_BYTES + 1);
      const errors = [
        await unwrapErr(checkpoints.get('', 'shard-0')),
        await unwrapErr(checkpoints.put('c', '', '1')),
        await unwrapErr(checkpoints.list('')),
        await unwrapErr(leases.acquire('c', long, 'worker-a', 1_000)),
        await unwrapErr(leases.list('y'.repeat(2049))),
      ];
      expect(errors.map((error) => `${error.kind}:${'code' in error ? error.code : ''}`)).toEqual(
        Array.from({ length: errors.length }, () => 'StoreError:InvalidInput'),
      );
      expect(requests.total()).toBe(0);
      expect(() => leases.acquire('c', 'shard-0', 'worker-a', 0)).toThrow(RangeError);
      expect(() => leases.acquire('c', 'shard-0', '', 1_000)).toThrow(TypeError);
    } finally {
      requests.remove();
      counted.destroy();
    }
  });

  it('reports a corrupt item as Unexpected, naming the failing path', async () => {
    await ready();
    const consumer = uniqueName('corrupt');
    await aws.dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          consumer: { S: consumer },
          partition: { S: 'shard-0' },
          position: { N: '7' },
          updatedAt: { S: new Date().toISOString() },
          owner: { S: 'worker-a' },
          expiresAtMs: { S: 'soon' },
          token: { N: '1' },
        },
      }),
    );
    const checkpoint = await unwrapErr(
      new DynamoDBCheckpointStore(options()).get(consumer, 'shard-0'),
    );
    expect(checkpoint).toMatchObject({ kind: 'StoreError', code: 'Unexpected' });
    expect(checkpoint.message).toContain(`${consumer}/shard-0`);
    expect(checkpoint.message).toContain('position');
    const lease = await unwrapErr(new DynamoDBLeaseStore(options()).list(consumer));
    expect(lease).toMatchObject({ kind: 'StoreError', code: 'Unexpected' });
    expect(lease.message).toContain('expiresAtMs');
  });

  it('reports throttling and timeouts as Unavailable and lets a simulated crash escape', async () => {
    await ready();
    const faulty = connectLocalAws(endpoints);
    const faults = injectFaults(faulty.dynamodb, [
      { commands: 'UpdateItem', fault: { kind: 'throttle' }, times: 2 },
      { commands: 'GetItem', fault: { kind: 'timeout' }, times: 1 },
      { commands: 'Query', fault: { kind: 'crashBefore' }, times: 1 },
    ]);
    const checkpoints = new DynamoDBCheckpointStore({ client: faulty.dynamodb, tableName: table });
    const leases = new DynamoDBLeaseStore({ client: faulty.dynamodb, tableName: table });
    try {
      const consumer = uniqueName('faults');
      const put = await unwrapErr(checkpoints.put(consumer, 'shard-0', '1'));
      expect(put).toMatchObject({ kind: 'StoreError', code: 'Unavailable' });
      expect((put as StoreError).cause).toBeInstanceOf(Error);
      const acquire = await unwrapErr(leases.acquire(consumer, 'shard-0', 'worker-a', 1_000));
      expect(acquire).toMatchObject({ kind: 'StoreError', code: 'Unavailable' });
      const get = await unwrapErr(checkpoints.get(consumer, 'shard-0'));
      expect(get).toMatchObject({ kind: 'StoreError', code: 'Unavailable' });
      await expect((async () => await leases.list(consumer))()).rejects.toBeInstanceOf(
        SimulatedCrash,
      );
      expect(await rawItem(consumer, 'shard-0')).toBeUndefined();
    } finally {
      faults.remove();
      faulty.destroy();
    }
  });

  it('creates its own client from a configuration and destroys it on close', async () => {
    await ready();
    const config = {
      endpoint: endpoints.dynamodb?.endpoint ?? '',
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const checkpoints = new DynamoDBCheckpointStore({ client: config, tableName: table });
    const leases = new DynamoDBLeaseStore({ client: config, tableName: table });
    const consumer = uniqueName('own-client');
    await unwrap(checkpoints.put(consumer, 'shard-0', '5'));
    expect((await unwrap(checkpoints.get(consumer, 'shard-0')))?.position).toBe('5');
    expect(await unwrap(leases.acquire(consumer, 'shard-0', 'worker-a', 1_000))).toBeDefined();
    checkpoints.close();
    leases.close();
  });
});
