export {
  CONSUMER_ATTRIBUTES,
  type DynamoDBConsumerStoreOptions,
  MAX_SORT_KEY_BYTES,
} from './consumer-item.js';
export {
  type CreateConsumerTableOptions,
  consumerTableDefinition,
  consumerTableSchema,
  createConsumerTable,
} from './consumer-table.js';
export {
  DynamoDBCheckpointStore,
  type DynamoDBPutCheckpointOptions,
} from './dynamodb-checkpoint-store.js';
export { DynamoDBLeaseStore } from './dynamodb-lease-store.js';
export {
  DynamoDBSnapshotStore,
  DynamoDBStreamHeadStore,
} from './dynamodb-stream-head-store.js';
export type {
  DynamoDBClientLike,
  DynamoDBStreamHeadStoreOptions,
} from './dynamodb-stream-head-store-options.js';
export {
  attributeMapBytes,
  attributeValueBytes,
  DEFAULT_ITEM_SIZE_RESERVE,
  MAX_EXPRESSION_BYTES,
  MAX_ITEM_BYTES,
  MAX_PARTITION_KEY_BYTES,
  MAX_TRANSACTION_BYTES,
  MAX_TRANSACTION_ITEMS,
} from './limits.js';
export { DEFAULT_COMPRESSION_THRESHOLD, type PayloadEncoding } from './payload-encoding.js';
export {
  type CreateStreamHeadTableOptions,
  createStreamHeadTable,
  streamHeadTableDefinition,
  streamHeadTableSchema,
} from './stream-head-table.js';
