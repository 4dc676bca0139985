export { type HandlerLogger, jsonConsoleLogger, type LogAttributes } from './handler-logger.js';
export {
  createKinesisHandler,
  type DeliveredCommit,
  type KinesisCommitSink,
  type KinesisHandler,
  type KinesisHandlerEventTypeOptions,
  type KinesisHandlerOptions,
  type KinesisHandlerRegistryOptions,
  type QuarantineCallback,
  type QuarantinedRecord,
  type QuarantineReason,
  type SinkResult,
} from './kinesis-handler.js';
export type {
  KinesisBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
  KinesisStreamRecordPayload,
  LambdaContext,
} from './kinesis-stream-event.js';
export {
  type DeaggregationError,
  type DeaggregationFailure,
  deaggregate,
  isAggregated,
  KPL_MAGIC,
  type UserRecord,
} from './kpl-deaggregation.js';
