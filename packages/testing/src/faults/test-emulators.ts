// Test support for this folder's integration tests (not exported): in-process kinesalite and
// dynalite, and helpers to create and read back resources.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll } from 'vitest';
import { freePort, waitUntil } from '../internal/free-port.js';
import { localClientConfig } from '../internal/local-client-config.js';

// Loaded through require with local types, so these tests do not depend on ambient declarations.
const require = createRequire(import.meta.url);
const kinesalite = require('kinesalite') as (options: {
  createStreamMs: number;
  deleteStreamMs: number;
  updateStreamMs: number;
  shardLimit: number;
}) => Server;
const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;

export interface TestEmulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const listen = async (server: Server, name: string): Promise<TestEmulator> => {
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        // dynalite calls back with null on success.
        server.close((error?: Error | null) =>
          error ? reject(new Error(`${name}: ${error.message}`)) : resolve(),
        );
      }),
  };
};

export const startTestKinesalite = (): Promise<TestEmulator> =>
  listen(
    kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 }),
    'kinesalite',
  );

export const startTestDynalite = (): Promise<TestEmulator> =>
  listen(dynalite({ createTableMs: 0 }), 'dynalite');

/**
 * Starts an emulator with `start` before the calling file's tests and stops it after them. The
 * result stands for the started emulator: read `endpoint` inside tests and hooks, not before.
 */
const useTestEmulator = (name: string, start: () => Promise<TestEmulator>): TestEmulator => {
  let started: TestEmulator | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.stop();
  });
  return {
    get endpoint() {
      if (started === undefined) throw new Error(`${name} is not started yet (read it in a test)`);
      return started.endpoint;
    },
    stop: async () => started?.stop(),
  };
};

/** An in-process kinesalite for the calling file's tests (see {@link useTestEmulator}). */
export const useTestKinesalite = (): TestEmulator =>
  useTestEmulator('kinesalite', startTestKinesalite);

/** An in-process dynalite for the calling file's tests (see {@link useTestEmulator}). */
export const useTestDynalite = (): TestEmulator => useTestEmulator('dynalite', startTestDynalite);

export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export const kinesisClient = (endpoint: string): KinesisClient =>
  new KinesisClient(localClientConfig(endpoint));

export const dynamoClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient(localClientConfig(endpoint));

/** Creates a one-shard stream and waits until it is ACTIVE. */
export const createStream = async (endpoint: string): Promise<string> => {
  const client = kinesisClient(endpoint);
  const name = uniqueName('faults');
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await waitUntil(
    async () => {
      const { StreamDescription } = await client.send(
        new DescribeStreamCommand({ StreamName: name }),
      );
      return StreamDescription?.StreamStatus === 'ACTIVE';
    },
    { timeoutMs: 10_000, what: `stream ${name}` },
  );
  client.destroy();
  return name;
};

/** Every record in the stream's first shard, read with a fresh client. */
export const readStream = async (endpoint: string, streamName: string): Promise<_Record[]> => {
  const client = kinesisClient(endpoint);
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const records: _Record[] = [];
  let iterator = ShardIterator;
  while (iterator !== undefined) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
    records.push(...(page.Records ?? []));
    if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
    iterator = page.NextShardIterator;
  }
  client.destroy();
  return records;
};

/** Creates a table keyed by the string `id` and waits until it is ACTIVE. */
export const createTable = async (endpoint: string): Promise<string> => {
  const client = dynamoClient(endpoint);
  const name = uniqueName('faults');
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntil(
    async () => {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      return Table?.TableStatus === 'ACTIVE';
    },
    { timeoutMs: 10_000, what: `table ${name}` },
  );
  client.destroy();
  return name;
};
