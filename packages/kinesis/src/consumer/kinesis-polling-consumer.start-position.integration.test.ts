import { ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { type Commit, InMemoryCheckpointStore } from '@tributary/core';
import { connectLocalAws, injectFaults } from '@tributary/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { countedCommit, eventTypes } from '../lambda/test-support/fixtures.js';
import { putCommits, waitUntilActive } from '../test-support/commit-log.js';
import { createTestStream } from '../test-support/kinesis-stream.js';
import { KinesisPollingConsumer, type StartPosition } from './kinesis-polling-consumer.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

/** A consumer of one stream whose sink records the versions it receives. */
const consumerOf = (streamName: string, startAt: StartPosition) => {
  const delivered: number[] = [];
  const consumer = new KinesisPollingConsumer({
    kinesis: aws.kinesis,
    streamName,
    consumerName: 'start-position',
    eventTypes,
    checkpoints: new InMemoryCheckpointStore(),
    startAt,
    sink: async (commits) => {
      for (const { commit } of commits) delivered.push(commit.toVersion);
    },
  });
  return { consumer, delivered };
};

const put = (streamName: string, ...versions: number[]) =>
  putCommits(
    aws.kinesis,
    streamName,
    versions.map((version): Commit => countedCommit('counter-1', version)),
  );

describe('KinesisPollingConsumer start positions and back-off', () => {
  it('started at LATEST, reads child shards from their start after a split, losing nothing', async () => {
    const streamName = await createTestStream(aws.kinesis);
    const { consumer, delivered } = consumerOf(streamName, 'LATEST');
    await consumer.runOnce(); // positions the consumer at LATEST
    await put(streamName, 1, 2);
    await consumer.runOnce();
    expect(delivered).toEqual([1, 2]);
    const shards =
      (await aws.kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
    const parent = shards[0];
    const middle = (BigInt(parent?.HashKeyRange?.EndingHashKey ?? '0') / 2n).toString();
    await aws.kinesis.send(
      new SplitShardCommand({
        StreamName: streamName,
        ShardToSplit: parent?.ShardId,
        NewStartingHashKey: middle,
      }),
    );
    await waitUntilActive(aws.kinesis, streamName);
    await put(streamName, 3, 4);
    await consumer.runOnce();
    await consumer.runOnce();
    expect(delivered).toEqual([1, 2, 3, 4]);
  });

  it('starts at a timestamp when there is no checkpoint', async () => {
    const streamName = await createTestStream(aws.kinesis);
    await put(streamName, 1, 2);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const timestamp = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await put(streamName, 3, 4);
    const { consumer, delivered } = consumerOf(streamName, { timestamp });
    await consumer.runOnce();
    expect(delivered).toEqual([3, 4]);
  });

  it('reports a throttled pass, backs off, and delivers everything on the next passes', async () => {
    const streamName = await createTestStream(aws.kinesis);
    await put(streamName, 1, 2, 3, 4, 5);
    const { consumer, delivered } = consumerOf(streamName, 'TRIM_HORIZON');
    const faults = injectFaults(aws.kinesis, [
      { commands: 'GetRecords', fault: 'throttle', times: 2 },
    ]);
    try {
      const first = await consumer.runOnce();
      expect(first.throttled).toBe(true);
      expect(delivered).toEqual([]);
      await consumer.runOnce();
      await consumer.runOnce();
    } finally {
      faults.remove();
    }
    expect(faults.faults('GetRecords')).toBe(2);
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
  });
});
