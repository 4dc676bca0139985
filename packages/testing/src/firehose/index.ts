export type { S3ClientLike } from './firehose-delivery.js';
export { FirehoseDeliveryError, type FirehoseDeliveryFailure } from './firehose-errors.js';
export {
  MAX_BYTES_PER_PUT_RECORD_BATCH,
  MAX_RECORD_BYTES,
  MAX_RECORDS_PER_PUT_RECORD_BATCH,
} from './firehose-limits.js';
export type { OfferedRecord, RecordRejection } from './firehose-service.js';
export type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
  FirehoseTransformationStatus,
  TransformationFunction,
} from './firehose-transformation.js';
export {
  type LocalFirehose,
  type LocalFirehoseOptions,
  startLocalFirehose,
} from './local-firehose.js';
