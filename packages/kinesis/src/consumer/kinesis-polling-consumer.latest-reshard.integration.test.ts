import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  PutRecordCommand,
  SplitShardCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { buildCommit, InMemoryCheckpointStore } from '@tributary/core';
import { counterFixture } from '@tributary/core/testing';
import { connectLocalAws, uniqueResourceName } from '@tributary/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { encodeCommit } from '../commit-codec.js';
import { KinesisPollingConsumer } from './kinesis-polling-consumer.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

const waitActive = async (StreamName: string) => {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const summary = await aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${StreamName} did not become ACTIVE`);
};

describe('KinesisPollingConsumer started at LATEST', () => {
  it('reads child shards from their start after a split, losing nothing written to them', async () => {
    const StreamName = uniqueResourceName('latest');
    await aws.kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    await waitUntilStreamExists({ client: aws.kinesis, maxWaitTime: 30 }, { StreamName });
    const delivered: number[] = [];
    const consumer = new KinesisPollingConsumer({
      kinesis: aws.kinesis,
      streamName: StreamName,
      consumerName: 'latest',
      eventTypes: [counterFixture.Incremented],
      checkpoints: new InMemoryCheckpointStore(),
      startAt: 'LATEST',
      sink: async (commits) => {
        for (const { commit } of commits) delivered.push(commit.toVersion);
      },
    });
    const put = async (version: number) => {
      const commit = buildCommit(
        {
          streamId: 'counter-1',
          expectedVersion: version - 1,
          events: [{ type: 'Incremented', data: { by: 1 }, schemaVersion: 1 }],
        },
        version - 1,
        new Date().toISOString(),
      );
      await aws.kinesis.send(
        new PutRecordCommand({ StreamName, PartitionKey: 'counter-1', Data: encodeCommit(commit) }),
      );
    };
    await consumer.runOnce(); // positions the consumer at LATEST
    await put(1);
    await put(2);
    await consumer.runOnce();
    expect(delivered).toEqual([1, 2]);
    const shards = (await aws.kinesis.send(new ListShardsCommand({ StreamName }))).Shards ?? [];
    const parent = shards[0];
    const middle = (BigInt(parent?.HashKeyRange?.EndingHashKey ?? '0') / 2n).toString();
    await aws.kinesis.send(
      new SplitShardCommand({
        StreamName,
        ShardToSplit: parent?.ShardId,
        NewStartingHashKey: middle,
      }),
    );
    await waitActive(StreamName);
    await put(3);
    await put(4);
    await consumer.runOnce();
    await consumer.runOnce();
    expect(delivered).toEqual([1, 2, 3, 4]);
  });

  it('starts at a timestamp when there is no checkpoint', async () => {
    const StreamName = uniqueResourceName('timestamp');
    await aws.kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    await waitUntilStreamExists({ client: aws.kinesis, maxWaitTime: 30 }, { StreamName });
    const put = async (version: number) => {
      const commit = buildCommit(
        {
          streamId: 'counter-2',
          expectedVersion: version - 1,
          events: [{ type: 'Incremented', data: { by: 1 }, schemaVersion: 1 }],
        },
        version - 1,
        new Date().toISOString(),
      );
      await aws.kinesis.send(
        new PutRecordCommand({ StreamName, PartitionKey: 'counter-2', Data: encodeCommit(commit) }),
      );
    };
    await put(1);
    await put(2);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const timestamp = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await put(3);
    await put(4);
    const delivered: number[] = [];
    const consumer = new KinesisPollingConsumer({
      kinesis: aws.kinesis,
      streamName: StreamName,
      consumerName: 'timestamp',
      eventTypes: [counterFixture.Incremented],
      checkpoints: new InMemoryCheckpointStore(),
      startAt: { timestamp },
      sink: async (commits) => {
        for (const { commit } of commits) delivered.push(commit.toVersion);
      },
    });
    await consumer.runOnce();
    expect(delivered).toEqual([3, 4]);
  });
});
