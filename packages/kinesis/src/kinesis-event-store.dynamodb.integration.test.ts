import { randomBytes } from 'node:crypto';
import { createCommandHandler, NO_STREAM } from '@tributary/core';
import { counterFixture, unwrap } from '@tributary/core/testing';
import { createStreamHeadTable, DynamoDBStreamHeadStore } from '@tributary/dynamodb';
import {
  connectLocalAws,
  countRequests,
  injectFaults,
  uniqueResourceName,
} from '@tributary/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KinesisEventStore } from './kinesis-event-store.js';
import { createTestStream } from './test-support/kinesis-stream.js';
import { runRandomWriters } from './test-support/randomized-writers.js';
import { checkCommitLog, readAllCommits } from './test-support/read-stream.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

let streamName: string;
let tableName: string;
beforeAll(async () => {
  streamName = await createTestStream(aws.kinesis);
  tableName = uniqueResourceName('heads');
  const created = await createStreamHeadTable(aws.dynamodb, tableName);
  if (created.isErr()) throw new Error(created.error.message);
});

const heads = () => new DynamoDBStreamHeadStore({ client: aws.dynamodb, tableName });
const eventStore = () =>
  new KinesisEventStore({
    kinesis: aws.kinesis,
    streamName,
    heads: heads(),
    sleep: async () => {},
  });
const commitsOf = async (streamId: string) =>
  (await readAllCommits(aws.kinesis, streamName)).filter((commit) => commit.streamId === streamId);
const event = (n: number) => ({ type: 'Counted', data: { n }, schemaVersion: 1 });
const snapshot = (n: number) => ({ snapshot: { state: { count: n }, stateVersion: 1 } });

const { Counter, Increment } = counterFixture;

describe('KinesisEventStore on DynamoDB Local and kinesalite', () => {
  it('costs 1 read, 2 writes and 1 PutRecord per handled command on the happy path', async () => {
    const counters = createCommandHandler(Counter, { eventStore: eventStore() });
    const streamId = uniqueResourceName('counted');
    await unwrap(counters.handle(streamId, Increment.create({ by: 1 })));
    const dynamo = countRequests(aws.dynamodb);
    const kinesis = countRequests(aws.kinesis);
    try {
      for (let n = 0; n < 10; n += 1)
        await unwrap(counters.handle(streamId, Increment.create({ by: 1 })));
      expect(dynamo.counts()).toEqual({ GetItem: 10, UpdateItem: 20 });
      expect(kinesis.counts()).toEqual({ PutRecord: 10 });
    } finally {
      dynamo.remove();
      kinesis.remove();
    }
  });

  it('recovers when the acknowledgement fails: the commit is published again and dropped as a duplicate', async () => {
    const store = eventStore();
    const streamId = uniqueResourceName('ack-fails');
    await unwrap(store.append(streamId, NO_STREAM, [event(1)], snapshot(1)));
    // The second UpdateItem of an append is its acknowledgement.
    const faults = injectFaults(aws.dynamodb, [
      {
        commands: 'UpdateItem',
        skip: 1,
        fault: {
          kind: 'error',
          create: () =>
            Object.assign(new Error('connection reset'), {
              name: 'InternalServerError',
              $fault: 'server',
              $metadata: { httpStatusCode: 500 },
            }),
        },
      },
    ]);
    let result: Awaited<ReturnType<typeof store.append>>;
    try {
      result = await store.append(streamId, 1, [event(2)], snapshot(2));
    } finally {
      faults.remove();
    }
    expect(result.isOk()).toBe(true);
    expect(faults.faults('UpdateItem')).toBe(1);
    expect((await unwrap(heads().getHead(streamId)))?.pending?.toVersion).toBe(2);
    // Recovery by a load: the pending commit is published (again) and acknowledged.
    await unwrap(store.load(streamId));
    expect((await unwrap(heads().getHead(streamId)))?.pending).toBeUndefined();
    const commits = await commitsOf(streamId);
    expect(commits.map((commit) => commit.toVersion)).toEqual([1, 2, 2]);
    expect(checkCommitLog(commits).get(streamId)).toEqual([1, 2]);
  });

  it('refuses a state too large for a head with a typed error and writes nothing', async () => {
    const store = eventStore();
    const streamId = uniqueResourceName('huge-state');
    // Random bytes do not compress: over 400 KB even after deflate.
    const noise = randomBytes(450_000).toString('base64');
    const error = await store.append(streamId, NO_STREAM, [event(1)], {
      snapshot: { state: { noise }, stateVersion: 1 },
    });
    expect(error.isErr()).toBe(true);
    expect(error._unsafeUnwrapErr()).toMatchObject({ kind: 'StoreError', code: 'LimitExceeded' });
    expect(await unwrap(heads().getHead(streamId))).toBeUndefined();
    expect(await commitsOf(streamId)).toEqual([]);
  });

  it('stays correct under concurrent writers with random faults (seeded, 200+ commands)', async () => {
    const seed = Number(process.env.TRIBUTARY_SEED ?? 424242);
    console.log(
      `randomized write-path run on DynamoDB heads: seed ${seed} (set TRIBUTARY_SEED to replay another)`,
    );
    const streams = ['a', 'b', 'c'].map((name) => uniqueResourceName(`random-${name}`));
    const report = await runRandomWriters({
      seed,
      iterations: 200,
      writers: 4,
      streams,
      kinesisEndpoint: aws.endpoints.kinesis?.endpoint ?? '',
      streamName,
      heads: heads(),
    });
    console.log(
      `seed ${seed}: ${report.crashes} crashes, versions ${streams.map((id) => report.versions.get(id)?.length ?? 0).join('/')}`,
    );
    expect(report.crashes).toBeGreaterThan(10);
    expect(
      streams.reduce((sum, id) => sum + (report.versions.get(id)?.length ?? 0), 0),
    ).toBeGreaterThan(100);
  });
});
