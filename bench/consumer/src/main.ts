// Prints `name: value unit` lines: how fast the Lambda handler decodes and delivers commits in one
// process, against what one Kinesis shard can deliver. The machine is shared: compare ratios.
import { type Commit, defineEvent } from '@tributary/core';
import { encodeCommit } from '@tributary/kinesis';
import {
  createKinesisHandler,
  type HandlerLogger,
  type KinesisStreamRecord,
} from '@tributary/kinesis/lambda';
import * as t from 'io-ts';

/**
 * Kinesis Data Streams read limits per shard (GetRecords API reference, "Quotas and limits"):
 * up to 2 MiB/s of data, 5 GetRecords calls/s, and up to 10,000 records or 10 MiB per call.
 */
const SHARD_READ_BYTES_PER_SECOND = 2 * 1024 * 1024;
const SHARD_READ_CALLS_PER_SECOND = 5;
const GET_RECORDS_MAX_RECORDS = 10_000;

const RECORDS = 10_000;
const TARGET_RECORD_BYTES = 500;
const WARMUP_RUNS = 3;
const MEASURED_RUNS = 9;
const MIB = 1024 * 1024;

const print = (name: string, value: number, unit: string, digits = 0) =>
  console.log(`${name}: ${value.toFixed(digits)} ${unit}`);

const ItemAdded = defineEvent(
  'ItemAdded',
  t.type({ sku: t.string, quantity: t.number, price: t.number, note: t.string }),
);

const commitAt = (index: number, note: string): Commit => {
  const streamId = `cart-${String(index % 100).padStart(3, '0')}`;
  const version = Math.floor(index / 100) + 1;
  const committedAt = new Date(Date.UTC(2026, 10, 1, 0, 0, 0, index)).toISOString();
  return {
    streamId,
    fromVersion: version,
    toVersion: version,
    commandId: `cmd-${index}`,
    committedAt,
    events: [
      {
        type: ItemAdded.type,
        data: { sku: `SKU-${index % 977}`, quantity: 1 + (index % 5), price: 1999, note },
        schemaVersion: 1,
        streamId,
        version,
        eventId: `01J${String(index).padStart(23, '0')}`,
        occurredAt: committedAt,
        metadata: { correlationId: `corr-${index}`, userId: `user-${index % 50}` },
      },
    ],
  };
};

/** A Lambda event of `RECORDS` records of about `TARGET_RECORD_BYTES` bytes of data each. */
const buildBatch = (): { records: KinesisStreamRecord[]; dataBytes: number } => {
  const records: KinesisStreamRecord[] = [];
  let dataBytes = 0;
  const base = 1_700_000_000_000;
  for (let index = 0; index < RECORDS; index += 1) {
    const unpadded = encodeCommit(commitAt(index, '')).length;
    const data = encodeCommit(
      commitAt(index, 'x'.repeat(Math.max(0, TARGET_RECORD_BYTES - unpadded))),
    );
    dataBytes += data.length;
    const sequenceNumber = (
      49_650_000_000_000_000_000_000_000_000_000_000_000_000n + BigInt(index)
    ).toString();
    const commit = commitAt(index, '');
    records.push({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: commit.streamId,
        sequenceNumber,
        data: Buffer.from(data).toString('base64'),
        approximateArrivalTimestamp: (base + index) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/bench',
      awsRegion: 'eu-west-1',
      eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/bench',
    });
  }
  return { records, dataBytes };
};

const silent: HandlerLogger = { info: () => {}, warn: () => {}, error: () => {} };

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

const { records, dataBytes } = buildBatch();
let delivered = 0;
const handler = createKinesisHandler({
  eventTypes: [ItemAdded],
  logger: silent,
  sink: async (commits) => {
    delivered += commits.length; // a no-op sink: the figure is the handler's own cost
  },
});

const timeOneBatch = async (): Promise<number> => {
  delivered = 0;
  const started = performance.now();
  const response = await handler({ Records: records });
  const elapsed = performance.now() - started;
  if (response.batchItemFailures.length > 0 || delivered !== RECORDS) {
    throw new Error(`the batch did not go through: ${delivered} delivered`);
  }
  return elapsed;
};

for (let run = 0; run < WARMUP_RUNS; run += 1) await timeOneBatch();
const times: number[] = [];
for (let run = 0; run < MEASURED_RUNS; run += 1) times.push(await timeOneBatch());
const milliseconds = median(times);
const seconds = milliseconds / 1000;
const commitsPerSecond = RECORDS / seconds;
const bytesPerSecond = dataBytes / seconds;
const meanRecordBytes = dataBytes / RECORDS;
const shardRecordsPerSecond = SHARD_READ_BYTES_PER_SECOND / meanRecordBytes;

console.log(
  `# Lambda handler, ${RECORDS} records in one event, no-op sink, median of ${MEASURED_RUNS} runs after ${WARMUP_RUNS} warm-ups, node ${process.version}`,
);
print('batch_records', RECORDS, 'records');
print('record_data_mean', meanRecordBytes, 'bytes', 1);
print('batch_time_median', milliseconds, 'ms', 1);
print('batch_time_min', Math.min(...times), 'ms', 1);
print('batch_time_max', Math.max(...times), 'ms', 1);
print('commits_decoded_and_delivered_per_second', commitsPerSecond, 'commits/s');
print('record_data_processed', bytesPerSecond / MIB, 'MiB/s', 1);
print('kinesis_shard_read_limit', SHARD_READ_BYTES_PER_SECOND / MIB, 'MiB/s');
print('ratio_vs_shard_read_limit', bytesPerSecond / SHARD_READ_BYTES_PER_SECOND, 'x', 1);
print('kinesis_shard_read_records_at_this_size', shardRecordsPerSecond, 'records/s');
print('kinesis_shard_getrecords_calls_limit', SHARD_READ_CALLS_PER_SECOND, 'calls/s');
print('kinesis_getrecords_max_records_per_call', GET_RECORDS_MAX_RECORDS, 'records');
print('ratio_vs_shard_read_records', commitsPerSecond / shardRecordsPerSecond, 'x', 1);
print(
  'shards_one_process_keeps_up_with',
  Math.floor(bytesPerSecond / SHARD_READ_BYTES_PER_SECOND),
  'shards',
);
