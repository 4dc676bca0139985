import { randomBytes } from 'node:crypto';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { Commit, HeadConflict, HeadWrite, StoreError } from '@tributary/core';
import {
  snapshotStoreContract,
  streamHeadStoreContract,
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
import { DynamoDBSnapshotStore, DynamoDBStreamHeadStore } from './dynamodb-stream-head-store.js';
import type { DynamoDBStreamHeadStoreOptions } from './dynamodb-stream-head-store-options.js';
import { MAX_ITEM_BYTES, MAX_PARTITION_KEY_BYTES, MAX_TRANSACTION_ITEMS } from './limits.js';
import { createStreamHeadTable, streamHeadTableSchema } from './stream-head-table.js';

const endpoints = inject('tributaryLocalAws');
const aws = connectLocalAws(endpoints);
const table = uniqueResourceName('heads');
const tables = [table];
let tableReady: Promise<void> | undefined;

const ensureTable = (name = table) => unwrap(createStreamHeadTable(aws.dynamodb, name));

const createStore = async (
  options: Partial<DynamoDBStreamHeadStoreOptions> = {},
): Promise<DynamoDBStreamHeadStore> => {
  tableReady ??= ensureTable();
  await tableReady;
  return new DynamoDBStreamHeadStore({ client: aws.dynamodb, tableName: table, ...options });
};

afterAll(async () => {
  for (const name of tables) {
    await aws.dynamodb.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
  }
  aws.destroy();
});

const testApi = { describe, it, afterAll };

snapshotStoreContract('DynamoDBStreamHeadStore', { create: () => createStore(), testApi });
streamHeadStoreContract('DynamoDBStreamHeadStore', { create: () => createStore(), testApi });
snapshotStoreContract('DynamoDBSnapshotStore', {
  create: async () => {
    await createStore();
    return new DynamoDBSnapshotStore({ client: aws.dynamodb, tableName: table });
  },
  testApi,
});

const commitOf = (streamId: string, from: number, to: number, commandId?: string): Commit => {
  const committedAt = new Date().toISOString();
  return {
    streamId,
    fromVersion: from,
    toVersion: to,
    ...(commandId === undefined ? {} : { commandId }),
    committedAt,
    events: Array.from({ length: to - from + 1 }, (_, index) => ({
      type: 'ItemAdded',
      data: { n: from + index },
      streamId,
      version: from + index,
      eventId: `${streamId}-${from + index}`,
      occurredAt: committedAt,
      schemaVersion: 1,
      metadata: {},
    })),
  };
};

const writeOf = (
  streamId: string,
  expectedVersion: number,
  options: { readonly commandId?: string; readonly state?: unknown; readonly commit?: Commit } = {},
): HeadWrite => ({
  expectedVersion,
  commit:
    options.commit ??
    commitOf(streamId, expectedVersion + 1, expectedVersion + 1, options.commandId),
  snapshot: { state: options.state ?? { at: expectedVersion + 1 }, stateVersion: 1 },
});

const rawItem = async (streamId: string, tableName = table) =>
  (
    await aws.dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { streamId: { S: streamId } },
        ConsistentRead: true,
      }),
    )
  ).Item;

const asConflict = (error: HeadConflict | StoreError): HeadConflict => {
  if (error.kind !== 'HeadConflict')
    throw new Error(`expected a HeadConflict, got ${error.message}`);
  return error;
};

const asStoreError = (error: { kind: string; message: string }): StoreError => {
  if (error.kind !== 'StoreError') throw new Error(`expected a StoreError, got ${error.message}`);
  return error as StoreError;
};

/** A state of `bytes` of random base64: deflate saves only a quarter of it. */
const incompressible = (bytes: number) => ({ blob: randomBytes(bytes).toString('base64') });

/** About `bytes` of repetitive JSON, like a real aggregate with many similar entries. */
const compressible = (bytes: number) => ({
  lines: Array.from({ length: Math.ceil(bytes / 60) }, (_, index) => ({
    sku: `sku-${index % 50}`,
    name: 'A product with a rather long name',
    quantity: index % 7,
  })),
});

describe('DynamoDBStreamHeadStore against DynamoDB Local', () => {
  describe('conflicts', () => {
    it('returns the current head from ALL_OLD, one request per write and no second read', async () => {
      await createStore();
      const counted = connectLocalAws(endpoints);
      const requests = countRequests(counted.dynamodb);
      const store = new DynamoDBStreamHeadStore({ client: counted.dynamodb, tableName: table });
      try {
        const streamId = uniqueName('all-old');
        await unwrap(store.writeHead(streamId, writeOf(streamId, 0, { commandId: 'cmd-1' })));

        requests.reset();
        const pending = asConflict(
          await unwrapErr(store.writeHead(streamId, writeOf(streamId, 1))),
        );
        expect(requests.counts()).toEqual({ UpdateItem: 1 });
        expect(pending.message).toMatch(/unpublished commit/);
        expect(pending.current?.pending?.toVersion).toBe(1);
        expect(pending.current?.snapshot?.state).toEqual({ at: 1 });

        await unwrap(store.acknowledge(streamId, 1, 'seq-1'));
        requests.reset();
        const version = asConflict(
          await unwrapErr(store.writeHead(streamId, writeOf(streamId, 3))),
        );
        expect(requests.counts()).toEqual({ UpdateItem: 1 });
        expect(version.message).toMatch(/is at version 1, the write expected version 3/);
        expect(version.current?.lastPosition).toBe('seq-1');

        const exists = asConflict(await unwrapErr(store.writeHead(streamId, writeOf(streamId, 0))));
        expect(exists.message).toMatch(/expected no head/);

        requests.reset();
        const duplicate = asConflict(
          await unwrapErr(store.writeHead(streamId, writeOf(streamId, 1, { commandId: 'cmd-1' }))),
        );
        expect(requests.counts()).toEqual({ UpdateItem: 1 });
        expect(duplicate.message).toMatch(/command cmd-1 was already applied/);
        expect(duplicate.current?.recentCommands.map((command) => command.commandId)).toEqual([
          'cmd-1',
        ]);

        const missing = uniqueName('missing');
        const none = asConflict(await unwrapErr(store.writeHead(missing, writeOf(missing, 2))));
        expect(none.current).toBeUndefined();
        expect(none.message).toMatch(/does not exist/);
      } finally {
        requests.remove();
        counted.destroy();
      }
    });

    it('returns the previous head of a successful write from ALL_OLD', async () => {
      const store = await createStore();
      const streamId = uniqueName('previous');
      await unwrap(store.writeHead(streamId, writeOf(streamId, 0)));
      await unwrap(store.acknowledge(streamId, 1, '4959033827149025660855969253836157109592'));
      const { previous } = await unwrap(store.writeHead(streamId, writeOf(streamId, 1)));
      expect(previous?.version).toBe(1);
      expect(previous?.lastPosition).toBe('4959033827149025660855969253836157109592');
      expect(previous?.snapshot).toEqual({ version: 1, state: { at: 1 }, stateVersion: 1 });
    });

    it('names the conflicting stream among several in a transaction, from its cancellation reason', async () => {
      await createStore();
      const counted = connectLocalAws(endpoints);
      const requests = countRequests(counted.dynamodb);
      const store = new DynamoDBStreamHeadStore({ client: counted.dynamodb, tableName: table });
      try {
        const streams = Array.from({ length: 5 }, (_, index) => uniqueName(`tx-${index}`));
        const third = streams[2] ?? '';
        await unwrap(store.writeHead(third, writeOf(third, 0, { commandId: 'seed' })));
        requests.reset();
        const conflict = asConflict(
          await unwrapErr(
            store.writeHeads(new Map(streams.map((streamId) => [streamId, writeOf(streamId, 0)]))),
          ),
        );
        expect(requests.counts()).toEqual({ TransactWriteItems: 1 });
        expect(conflict.streamId).toBe(third);
        expect(conflict.current?.version).toBe(1);
        expect(conflict.current?.pending?.commandId).toBe('seed');
        for (const streamId of streams.filter((id) => id !== third)) {
          expect(await rawItem(streamId)).toBeUndefined();
        }
      } finally {
        requests.remove();
        counted.destroy();
      }
    });

    it(`refuses more than ${MAX_TRANSACTION_ITEMS} heads in one transaction before writing`, async () => {
      await createStore();
      const counted = connectLocalAws(endpoints);
      const requests = countRequests(counted.dynamodb);
      const store = new DynamoDBStreamHeadStore({ client: counted.dynamodb, tableName: table });
      try {
        const streams = Array.from({ length: MAX_TRANSACTION_ITEMS + 1 }, (_, index) =>
          uniqueName(`many-${index}`),
        );
        const error = asStoreError(
          await unwrapErr(
            store.writeHeads(new Map(streams.map((streamId) => [streamId, writeOf(streamId, 0)]))),
          ),
        );
        expect(error.code).toBe('LimitExceeded');
        expect(error.message).toMatch(/101 head writes/);
        expect(requests.total()).toBe(0);
        expect(await rawItem(streams[0] ?? '')).toBeUndefined();

        // Exactly the limit is one transaction.
        await unwrap(
          store.writeHeads(
            new Map(
              streams
                .slice(0, MAX_TRANSACTION_ITEMS)
                .map((streamId) => [streamId, writeOf(streamId, 0)]),
            ),
          ),
        );
        expect(requests.counts()).toEqual({ TransactWriteItems: 1 });
        expect((await unwrap(store.getHead(streams[99] ?? '')))?.version).toBe(1);
      } finally {
        requests.remove();
        counted.destroy();
      }
    });
  });

  describe('limits and encoding', () => {
    it('stores a large compressible state deflated and reads it back', async () => {
      const store = await createStore();
      const streamId = uniqueName('large');
      const state = compressible(300 * 1024);
      expect(Buffer.byteLength(JSON.stringify(state))).toBeGreaterThan(300 * 1024);
      await unwrap(store.writeHead(streamId, writeOf(streamId, 0, { state })));
      const item = await rawItem(streamId);
      expect(item?.stateEncoding?.S).toBe('deflate');
      expect(item?.state?.B?.byteLength).toBeLessThan(50 * 1024);
      expect(item?.pendingEncoding?.S).toBe('json');
      expect((await unwrap(store.get(streamId)))?.state).toEqual(state);
      const small = uniqueName('small');
      await unwrap(store.writeHead(small, writeOf(small, 0)));
      expect((await rawItem(small))?.state).toEqual({ S: '{"at":1}' });
      expect((await rawItem(small))?.stateEncoding?.S).toBe('json');
    });

    it('compresses a large pending commit too, and honours the threshold option', async () => {
      const store = await createStore({ compressionThreshold: 64 });
      const streamId = uniqueName('large-commit');
      const commit = commitOf(streamId, 1, 200, 'cmd-big');
      await unwrap(store.writeHead(streamId, writeOf(streamId, 0, { commit })));
      const item = await rawItem(streamId);
      expect(item?.pendingEncoding?.S).toBe('deflate');
      expect(item?.stateEncoding?.S).toBe('json');
      expect((await unwrap(store.getHead(streamId)))?.pending).toEqual(commit);
      const listed = await unwrap(store.listPending());
      expect(listed.find((head) => head.streamId === streamId)?.pending).toEqual(commit);
    });

    it('refuses a state that does not fit 400 KB even compressed, writing nothing', async () => {
      await createStore();
      const counted = connectLocalAws(endpoints);
      const requests = countRequests(counted.dynamodb);
      const store = new DynamoDBStreamHeadStore({ client: counted.dynamodb, tableName: table });
      try {
        const streamId = uniqueName('too-large');
        const state = incompressible(560 * 1024);
        const error = asStoreError(
          await unwrapErr(store.writeHead(streamId, writeOf(streamId, 0, { state }))),
        );
        expect(error.code).toBe('LimitExceeded');
        expect(error.streamId).toBe(streamId);
        expect(error.message).toContain(streamId);
        expect(error.message).toMatch(/would be \d+ bytes \(state \d+ bytes as deflate/);
        expect(error.message).toContain(String(MAX_ITEM_BYTES));
        const put = asStoreError(
          await unwrapErr(
            store.put(streamId, { version: 1, state, stateVersion: 1 }, { expectedVersion: 'any' }),
          ),
        );
        expect(put.code).toBe('LimitExceeded');
        expect(requests.total()).toBe(0);
        expect(await rawItem(streamId)).toBeUndefined();
      } finally {
        requests.remove();
        counted.destroy();
      }
    });

    it('maps DynamoDB refusing an oversized item to LimitExceeded', async () => {
      // No reserve for unwritten attributes: the store's estimate passes, DynamoDB refuses.
      const store = await createStore({ itemSizeReserve: 0, compressionThreshold: Infinity });
      const streamId = uniqueName('server-size');
      await unwrap(
        store.put(
          streamId,
          { version: 1, state: 'x', stateVersion: 1 },
          { expectedVersion: 'no_stream' },
        ),
      );
      await aws.dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            ...(await rawItem(streamId)),
            lastPosition: { S: 'p'.repeat(4096) },
          },
        }),
      );
      const error = asStoreError(
        await unwrapErr(
          store.put(
            streamId,
            { version: 2, state: 'y'.repeat(MAX_ITEM_BYTES - 1024), stateVersion: 1 },
            { expectedVersion: 1 },
          ),
        ),
      );
      expect(error.code).toBe('LimitExceeded');
      expect(error.message).toMatch(/ValidationException/);
      expect((await unwrap(store.get(streamId)))?.version).toBe(1);
    });

    it('refuses an empty stream id and one over the partition key limit', async () => {
      const store = await createStore();
      expect(asStoreError(await unwrapErr(store.getHead(''))).code).toBe('InvalidInput');
      const long = 'é'.repeat(MAX_PARTITION_KEY_BYTES / 2 + 1);
      const error = asStoreError(await unwrapErr(store.writeHead(long, writeOf(long, 0))));
      expect(error.code).toBe('InvalidInput');
      expect(error.message).toMatch(/2050 bytes long, over DynamoDB's 2048-byte/);
      expect(
        asStoreError(await unwrapErr(store.listPending().andThen(() => store.get(long)))).code,
      ).toBe('InvalidInput');
      const longest = `${uniqueName('k')}-`.padEnd(MAX_PARTITION_KEY_BYTES, 'k');
      await unwrap(store.writeHead(longest, writeOf(longest, 0)));
      expect((await unwrap(store.getHead(longest)))?.version).toBe(1);
    });

    it('throws for a commit that does not belong to the head (a programmer error)', async () => {
      const store = await createStore();
      expect(() => store.writeHead('a', writeOf('b', 0))).toThrow(RangeError);
      expect(() => store.writeHead('a', { ...writeOf('a', 0), expectedVersion: 3 })).toThrow(
        RangeError,
      );
    });
  });

  describe('acknowledge and the pending index', () => {
    it('removes the pending attributes and forgets commands in one conditional write', async () => {
      const store = await createStore();
      const streamId = uniqueName('ack');
      await unwrap(store.writeHead(streamId, writeOf(streamId, 0, { commandId: 'cmd-1' })));
      expect(Object.keys((await rawItem(streamId)) ?? {}).sort()).toEqual(
        [
          'lastCommitId',
          'pending',
          'pendingEncoding',
          'pendingSince',
          'recentCommands',
          'state',
          'stateEncoding',
          'stateVersion',
          'streamId',
          'version',
        ].sort(),
      );
      expect(await unwrap(store.acknowledge(streamId, 2, 'nope'))).toBe(false);
      expect(
        await unwrap(
          store.acknowledge(streamId, 1, 'seq-1', {
            forgetCommands: ['cmd-1', 'cmd-1', 'unknown'],
          }),
        ),
      ).toBe(true);
      const item = await rawItem(streamId);
      expect(item?.pending).toBeUndefined();
      expect(item?.pendingEncoding).toBeUndefined();
      expect(item?.pendingSince).toBeUndefined();
      expect(item?.lastPosition).toEqual({ S: 'seq-1' });
      // The last commit's id stays: a writer whose answer was lost recognises its write by it.
      expect(item?.lastCommitId).toBeDefined();
      expect(item?.recentCommands).toEqual({ M: {} });
      expect(await unwrap(store.acknowledge(streamId, 1, 'seq-1'))).toBe(false);
    });

    it('refuses to forget so many commands that the update expression exceeds 4 KB', async () => {
      const store = await createStore();
      const forgetCommands = Array.from({ length: 400 }, (_, index) => `cmd-${index}`);
      const error = await unwrapErr(
        store.acknowledge(uniqueName('ack'), 1, 'p', { forgetCommands }),
      );
      expect(error.code).toBe('LimitExceeded');
    });

    it('keeps only pending heads in the sparse index, without their state', async () => {
      const store = await createStore();
      const pending = uniqueName('sparse-pending');
      const done = uniqueName('sparse-done');
      await unwrap(store.writeHead(pending, writeOf(pending, 0, { state: compressible(20_000) })));
      await unwrap(store.writeHead(done, writeOf(done, 0)));
      await unwrap(store.acknowledge(done, 1, 'seq'));
      await unwrap(
        store.put(
          uniqueName('sparse-put'),
          { version: 1, state: 1, stateVersion: 1 },
          { expectedVersion: 'no_stream' },
        ),
      );
      const indexed = await aws.dynamodb.send(
        new ScanCommand({
          TableName: table,
          IndexName: streamHeadTableSchema.pendingIndex.indexName,
        }),
      );
      const ours = (indexed.Items ?? []).filter((item) =>
        [pending, done].includes(item.streamId?.S ?? ''),
      );
      expect(ours.map((item) => item.streamId?.S)).toEqual([pending]);
      expect(ours[0]?.state).toBeUndefined();
      const listed = (await unwrap(store.listPending())).find((head) => head.streamId === pending);
      expect(listed?.snapshot).toBeUndefined();
      expect(listed?.pending?.toVersion).toBe(1);
      expect(listed?.version).toBe(1);
      expect((await unwrap(store.listPending())).every((head) => head.pending !== undefined)).toBe(
        true,
      );
    });

    it('ages pending commits with the clock option', async () => {
      let now = Date.parse('2030-01-01T00:00:00.000Z');
      const store = await createStore({ clock: () => new Date(now) });
      const streamId = uniqueName('aged');
      await unwrap(store.writeHead(streamId, writeOf(streamId, 0)));
      expect((await unwrap(store.getHead(streamId)))?.pendingSince).toBe(
        '2030-01-01T00:00:00.000Z',
      );
      const listed = async (minAgeMs: number) =>
        (await unwrap(store.listPending({ minAgeMs }))).some((head) => head.streamId === streamId);
      expect(await listed(60_000)).toBe(false);
      now += 61_000;
      expect(await listed(60_000)).toBe(true);
      await unwrap(store.acknowledge(streamId, 1, 'p'));
    });
  });

  describe('corrupt items', () => {
    const putRaw = async (
      item: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>,
    ) => aws.dynamodb.send(new PutItemCommand({ TableName: table, Item: item }));

    it('reports a malformed item with the stream and every failing path', async () => {
      const store = await createStore();
      const streamId = uniqueName('corrupt');
      await putRaw({
        streamId: { S: streamId },
        version: { S: 'three' },
        stateVersion: { N: '1.5' },
        recentCommands: { M: { 'cmd-1': { M: { fromVersion: { N: '1' } } } } },
      });
      const error = asStoreError(await unwrapErr(store.getHead(streamId)));
      expect(error.code).toBe('Unexpected');
      expect(error.streamId).toBe(streamId);
      expect(error.message).toContain(streamId);
      expect(error.message).toContain(table);
      expect(error.message).toMatch(/version\.N: expected/);
      expect(error.message).toMatch(/stateVersion\.N/);
      expect(error.message).toMatch(/recentCommands\.M\.cmd-1\.M\.toVersion/);

      // The same item met as the ALL_OLD of a failed condition is the same typed error.
      const conflict = asStoreError(
        await unwrapErr(store.writeHead(streamId, writeOf(streamId, 1))),
      );
      expect(conflict.code).toBe('Unexpected');
    });

    it('reports a state that cannot be inflated as InvalidSnapshot', async () => {
      const store = await createStore();
      const streamId = uniqueName('bad-state');
      await putRaw({
        streamId: { S: streamId },
        version: { N: '1' },
        state: { B: new Uint8Array([1, 2, 3, 4, 5]) },
        stateEncoding: { S: 'deflate' },
        stateVersion: { N: '1' },
        recentCommands: { M: {} },
      });
      const error = asStoreError(await unwrapErr(store.get(streamId)));
      expect(error.code).toBe('InvalidSnapshot');
      expect(error.message).toMatch(/state: it cannot be inflated/);
    });

    it('reports a pending commit that is not a commit', async () => {
      const store = await createStore();
      const streamId = uniqueName('bad-pending');
      await putRaw({
        streamId: { S: streamId },
        version: { N: '1' },
        pending: { S: JSON.stringify({ streamId, fromVersion: '1', events: [{ type: 1 }] }) },
        pendingEncoding: { S: 'json' },
        recentCommands: { M: {} },
      });
      const error = asStoreError(await unwrapErr(store.getHead(streamId)));
      expect(error.code).toBe('Unexpected');
      expect(error.message).toMatch(/pending commit: .*fromVersion/);
      expect(error.message).toMatch(/events\.0\.type/);
      expect(error.message).toMatch(/committedAt/);
    });
  });

  describe('configuration', () => {
    it('chooses a table per stream, and sweeps the tables given', async () => {
      await createStore();
      const other = uniqueResourceName('heads-other');
      tables.push(other);
      await ensureTable(other);
      await ensureTable(other); // idempotent
      const described = await aws.dynamodb.send(new DescribeTableCommand({ TableName: other }));
      expect(described.Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('pendingSince-index');

      const tableName = (streamId: string) => (streamId.startsWith('other') ? other : table);
      const a = uniqueName('other');
      const b = uniqueName('main');
      const writer = new DynamoDBStreamHeadStore({ client: aws.dynamodb, tableName });
      await unwrap(
        writer.writeHeads(
          new Map([
            [a, writeOf(a, 0)],
            [b, writeOf(b, 0)],
          ]),
        ),
      );
      expect(await rawItem(a, other)).toBeDefined();
      expect(await rawItem(a, table)).toBeUndefined();
      expect(await rawItem(b, table)).toBeDefined();
      expect(() => writer.listPending()).toThrow(TypeError);

      const sweeper = new DynamoDBStreamHeadStore({
        client: aws.dynamodb,
        tableName,
        tables: [table, other],
      });
      const ids = (await unwrap(sweeper.listPending())).map((head) => head.streamId);
      expect(ids).toContain(a);
      expect(ids).toContain(b);
    });

    it('creates its own client from a configuration, and closes it', async () => {
      await createStore();
      const endpoint = endpoints.dynamodb?.endpoint ?? '';
      const store = new DynamoDBStreamHeadStore({
        client: {
          endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
        tableName: table,
      });
      const streamId = uniqueName('own-client');
      await unwrap(store.writeHead(streamId, writeOf(streamId, 0)));
      expect((await unwrap(store.getHead(streamId)))?.version).toBe(1);
      store.close();
    });

    it('reports throttling as Unavailable and lets a simulated crash escape', async () => {
      await createStore();
      const faulty = connectLocalAws(endpoints);
      const faults = injectFaults(faulty.dynamodb, [
        { commands: 'UpdateItem', fault: { kind: 'throttle' }, times: 1 },
        { commands: 'GetItem', fault: { kind: 'crashBefore' }, times: 1 },
        { commands: 'TransactWriteItems', fault: { kind: 'timeout' }, times: 1 },
      ]);
      const store = new DynamoDBStreamHeadStore({ client: faulty.dynamodb, tableName: table });
      try {
        const streamId = uniqueName('faults');
        const throttled = asStoreError(
          await unwrapErr(store.writeHead(streamId, writeOf(streamId, 0))),
        );
        expect(throttled.code).toBe('Unavailable');
        expect(throttled.cause).toBeInstanceOf(Error);
        const timedOut = asStoreError(
          await unwrapErr(store.writeHeads(new Map([[streamId, writeOf(streamId, 0)]]))),
        );
        expect(timedOut.code).toBe('Unavailable');
        await expect((async () => await store.getHead(streamId))()).rejects.toBeInstanceOf(
          SimulatedCrash,
        );
        expect(await rawItem(streamId)).toBeUndefined();
      } finally {
        faults.remove();
        faulty.destroy();
      }
    });
  });
});
