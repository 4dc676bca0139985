// Test support: a fresh Kinesis stream per test.
import {
  CreateStreamCommand,
  type KinesisClient,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { uniqueResourceName } from '@tributary/testing';

export const createTestStream = async (kinesis: KinesisClient, shards = 1): Promise<string> => {
  const StreamName = uniqueResourceName('commits');
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: shards }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 0.1 }, { StreamName });
  return StreamName;
};
