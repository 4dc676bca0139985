// The slice of Lambda's Kinesis event the handler reads, typed structurally so that users need not
// install @types/aws-lambda; the real types are assignable to these (checked in handler-types.test.ts).

/**
 * The `kinesis` part of a record in a Lambda `KinesisStreamEvent`.
 *
 * @example
 * ```ts
 * const bytes = Buffer.from(record.kinesis.data, 'base64');
 * ```
 */
export interface KinesisStreamRecordPayload {
  /** The record's data, base64-encoded. */
  readonly data: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** Seconds since the epoch, with a fractional part. */
  readonly approximateArrivalTimestamp?: number;
  readonly kinesisSchemaVersion?: string;
}

/**
 * One record of a Lambda `KinesisStreamEvent`.
 *
 * @example
 * ```ts
 * const shardId = record.eventID.slice(0, record.eventID.lastIndexOf(':'));
 * ```
 */
export interface KinesisStreamRecord {
  /** `shardId:sequenceNumber`, e.g. `shardId-000000000000:4959...`. */
  readonly eventID: string;
  readonly eventSourceARN?: string;
  readonly eventSource?: string;
  readonly eventName?: string;
  readonly eventVersion?: string;
  readonly awsRegion?: string;
  readonly invokeIdentityArn?: string;
  readonly kinesis: KinesisStreamRecordPayload;
}

/**
 * What a Kinesis event source mapping invokes a Lambda function with; the `KinesisStreamEvent`
 * of `@types/aws-lambda` is assignable to it.
 *
 * @example
 * ```ts
 * const event: KinesisStreamEvent = { Records: [] };
 * await handler(event); // { batchItemFailures: [] }
 * ```
 */
export interface KinesisStreamEvent {
  readonly Records: readonly KinesisStreamRecord[];
}

/**
 * The `ReportBatchItemFailures` response: the sequence numbers Lambda must retry (Lambda resumes
 * from the lowest one). Empty when the whole batch went through.
 *
 * @example
 * ```ts
 * const { batchItemFailures } = await handler(event);
 * batchItemFailures.map((failure) => failure.itemIdentifier); // ['4959...0002', '4959...0003']
 * ```
 */
export interface KinesisBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The part of the Lambda context the handler uses (its request id goes into the log entries).
 *
 * @example
 * ```ts
 * export const handler = (event: KinesisStreamEvent, context: LambdaContext) => consume(event, context);
 * ```
 */
export interface LambdaContext {
  readonly awsRequestId?: string;
}

/** The shard a record came from: the part of its `eventID` before the last colon. */
export const shardIdOf = (record: KinesisStreamRecord): string => {
  const colon = record.eventID.lastIndexOf(':');
  return colon === -1 ? record.eventID : record.eventID.slice(0, colon);
};
