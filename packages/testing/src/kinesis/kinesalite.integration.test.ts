import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniqueResourceName } from '../internal/unique-names.js';
import { connectLocalAws } from '../local-aws.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

describe('kinesalite through the real KinesisClient', () => {
  it('is the Kinesis of the shared set', () => {
    expect(aws.endpoints.kinesis?.emulator).toBe('kinesalite');
  });

  it('creates a stream and reads back 1,000 records in order', async () => {
    const StreamName = uniqueResourceName('ordered');
    await aws.kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    const summary = await aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    expect(summary.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');

    const sent = Array.from({ length: 1_000 }, (_, index) => `record-${index}`);
    for (let start = 0; start < sent.length; start += 500) {
      const result = await aws.kinesis.send(
        new PutRecordsCommand({
          StreamName,
          Records: sent.slice(start, start + 500).map((data) => ({
            Data: Buffer.from(data),
            PartitionKey: 'one-key',
          })),
        }),
      );
      expect(result.FailedRecordCount).toBe(0);
    }

    const shards = await aws.kinesis.send(new ListShardsCommand({ StreamName }));
    const ShardId = shards.Shards?.[0]?.ShardId;
    const iterator = await aws.kinesis.send(
      new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const received: string[] = [];
    const sequenceNumbers: bigint[] = [];
    let ShardIterator = iterator.ShardIterator;
    while (ShardIterator !== undefined && received.length < sent.length) {
      const page = await aws.kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 300 }));
      for (const record of page.Records ?? []) {
        received.push(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8'));
        sequenceNumbers.push(BigInt(record.SequenceNumber ?? '0'));
      }
      ShardIterator = page.NextShardIterator;
    }
    expect(received).toEqual(sent);
    for (let index = 1; index < sequenceNumbers.length; index += 1) {
      expect((sequenceNumbers[index] ?? 0n) > (sequenceNumbers[index - 1] ?? 0n)).toBe(true);
    }
  });
});
