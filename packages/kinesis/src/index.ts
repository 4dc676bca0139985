export {
  COMMIT_FORMAT,
  COMMIT_FORMAT_VERSION,
  type CommitDecodeError,
  type CommitDecodeFailure,
  decodeCommit,
  encodeCommit,
} from './commit-codec.js';
export {
  isAwsCallError,
  isRetryableAwsError,
  type PublishOutcome,
  type PublishRetryOptions,
} from './commit-publisher.js';
export {
  KinesisPollingConsumer,
  type KinesisPollingConsumerOptions,
  type PollReport,
  SHARD_END,
  type ShardPassReport,
  type StartPosition,
} from './consumer/kinesis-polling-consumer.js';
export {
  KinesisEventStore,
  type KinesisEventStoreOptions,
  type SweepReport,
} from './kinesis-event-store.js';
export { MAX_KINESIS_RECORD_BYTES, MAX_PARTITION_KEY_LENGTH } from './limits.js';
