// Test support: real records from kinesalite, in the shape a Kinesis event source mapping gives Lambda.
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from '../kinesis-stream-event.js';

/** What to put: bytes and a partition key, in order. */
export interface PutEntry {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** Puts records in order (PutRecords, at most 500 a call, every entry checked). */
export const putRecords = async (
  kinesis: KinesisClient,
  StreamName: string,
  entries: readonly PutEntry[],
): Promise<void> => {
  for (let start = 0; start < entries.length; start += 500) {
    const chunk = entries.slice(start, start + 500);
    const result = await kinesis.send(
      new PutRecordsCommand({
        StreamName,
        Records: chunk.map((entry) => ({ PartitionKey: entry.partitionKey, Data: entry.data })),
      }),
    );
    if ((result.FailedRecordCount ?? 0) > 0) {
      throw new Error(`${result.FailedRecordCount} records were not put`);
    }
  }
};

/**
 * Reads every record of every shard from TRIM_HORIZON and converts each to a Lambda
 * `KinesisStreamRecord` (base64 data, eventID `shardId:sequenceNumber`, arrival in seconds).
 */
export const readLambdaRecords = async (
  kinesis: KinesisClient,
  StreamName: string,
): Promise<KinesisStreamRecord[]> => {
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
  const eventSourceARN =
    summary.StreamDescriptionSummary?.StreamARN ?? `arn:aws:kinesis:::stream/${StreamName}`;
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName }))).Shards ?? [];
  const records: KinesisStreamRecord[] = [];
  for (const shard of shards) {
    const shardId = shard.ShardId ?? 'shardId-unknown';
    let { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (ShardIterator !== undefined) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        const sequenceNumber = record.SequenceNumber ?? '';
        records.push({
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: record.PartitionKey ?? '',
            sequenceNumber,
            data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
            approximateArrivalTimestamp:
              (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `${shardId}:${sequenceNumber}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: 'arn:aws:iam::000000000000:role/test-consumer',
          awsRegion: 'us-east-1',
          eventSourceARN,
        });
      }
      if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  return records;
};

/** The Lambda event for a slice of records. */
export const lambdaEvent = (records: readonly KinesisStreamRecord[]): KinesisStreamEvent => ({
  Records: records,
});
