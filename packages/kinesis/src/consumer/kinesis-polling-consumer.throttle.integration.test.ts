import {
  CreateStreamCommand,
  PutRecordCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { buildCommit, InMemoryCheckpointStore } from '@tributary/core';
import { counterFixture } from '@tributary/core/testing';
import { connectLocalAws, injectFaults, uniqueResourceName } from '@tributary/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { encodeCommit } from '../commit-codec.js';
import { KinesisPollingConsumer } from './kinesis-polling-consumer.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

describe('KinesisPollingConsumer under read throttling', () => {
  it('reports a throttled pass, backs off, and delivers everything on the next passes', async () => {
    const StreamName = uniqueResourceName('throttled');
    await aws.kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    await waitUntilStreamExists({ client: aws.kinesis, maxWaitTime: 30 }, { StreamName });
    for (let version = 1; version <= 5; version += 1) {
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
    }
    const delivered: number[] = [];
    const consumer = new KinesisPollingConsumer({
      kinesis: aws.kinesis,
      streamName: StreamName,
      consumerName: 'throttled',
      eventTypes: [counterFixture.Incremented],
      checkpoints: new InMemoryCheckpointStore(),
      startAt: 'TRIM_HORIZON',
      sink: async (commits) => {
        for (const { commit } of commits) delivered.push(commit.toVersion);
      },
    });
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
