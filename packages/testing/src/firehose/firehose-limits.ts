/**
 * Amazon Data Firehose service limits the local server enforces. Each number is named once here,
 * next to the page it comes from.
 */

const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * Records per PutRecordBatch call. "Each PutRecordBatch request supports up to 500 records."
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 * More records in one call are refused with `ValidationException`.
 *
 * @example
 * ```ts
 * for (let i = 0; i < records.length; i += MAX_RECORDS_PER_PUT_RECORD_BATCH) {
 *   await send(records.slice(i, i + MAX_RECORDS_PER_PUT_RECORD_BATCH));
 * }
 * ```
 */
export const MAX_RECORDS_PER_PUT_RECORD_BATCH = 500;

/**
 * Bytes of record data per PutRecordBatch call: "up to a limit of 4 MB for the entire request"
 * (4 MiB, "The PutRecordBatch operation can take up to 500 records per call or 4 MiB per call,
 * whichever is smaller"). https://docs.aws.amazon.com/firehose/latest/dev/limits.html
 * A larger call is refused with `InvalidArgumentException`.
 *
 * @example
 * ```ts
 * const fits = batchBytes + record.length <= MAX_BYTES_PER_PUT_RECORD_BATCH;
 * ```
 */
export const MAX_BYTES_PER_PUT_RECORD_BATCH = 4 * MIB;

/**
 * Bytes of one record, after base64 decoding: "The maximum size of a record sent to Amazon Data
 * Firehose, before base64-encoding, is 1,000 KiB" (Record.Data: maximum length 1024000).
 * https://docs.aws.amazon.com/firehose/latest/dev/limits.html,
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_Record.html
 * A larger record fails its whole call with `ValidationException`.
 *
 * @example
 * ```ts
 * if (data.length > MAX_RECORD_BYTES) throw new Error('record too large for Firehose');
 * ```
 */
export const MAX_RECORD_BYTES = 1000 * KIB;

/** DeliveryStreamName: 1-64 characters of `[a-zA-Z0-9_.-]` (API_CreateDeliveryStream). */
export const MAX_DELIVERY_STREAM_NAME_LENGTH = 64;
export const DELIVERY_STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;

/** Prefix and ErrorOutputPrefix: at most 1024 characters (API_ExtendedS3DestinationConfiguration). */
export const MAX_PREFIX_LENGTH = 1024;

/**
 * BufferingHints for S3: SizeInMBs 1-128 (default 5), IntervalInSeconds 0-900 (default 300).
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html
 */
export const MIN_BUFFER_SIZE_MB = 1;
export const MAX_BUFFER_SIZE_MB = 128;
export const DEFAULT_BUFFER_SIZE_MB = 5;
export const MIN_BUFFER_INTERVAL_SECONDS = 0;
export const MAX_BUFFER_INTERVAL_SECONDS = 900;
export const DEFAULT_BUFFER_INTERVAL_SECONDS = 300;

/** Firehose buffer sizes are MiB ("SizeInMBs" counts 1,048,576 bytes). */
export const BYTES_PER_BUFFER_MB = MIB;

/**
 * Lambda processor parameters: BufferSizeInMBs 0.2-3 (default 1), BufferIntervalInSeconds 0-900
 * (default 60; 0 invokes the function as records arrive), NumberOfRetries 0-300 (default 3: "Firehose retries the invocation three times
 * by default"). https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html,
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_ProcessorParameter.html
 */
export const MIN_LAMBDA_BUFFER_SIZE_MB = 0.2;
export const MAX_LAMBDA_BUFFER_SIZE_MB = 3;
export const DEFAULT_LAMBDA_BUFFER_SIZE_MB = 1;
export const MIN_LAMBDA_BUFFER_INTERVAL_SECONDS = 0;
export const MAX_LAMBDA_BUFFER_INTERVAL_SECONDS = 900;
export const DEFAULT_LAMBDA_BUFFER_INTERVAL_SECONDS = 60;
export const MAX_LAMBDA_NUMBER_OF_RETRIES = 300;
export const DEFAULT_LAMBDA_NUMBER_OF_RETRIES = 3;

/**
 * "The Lambda synchronous invocation mode has a payload size limit of 6 MB for both the request
 * and the response." https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */
export const MAX_LAMBDA_PAYLOAD_BYTES = 6 * MIB;

/** DynamicPartitioningConfiguration.RetryOptions.DurationInSeconds: 0-7200 (default 300). */
export const MAX_RETRY_DURATION_SECONDS = 7200;
export const DEFAULT_RETRY_DURATION_SECONDS = 300;

/** ListDeliveryStreams Limit: 1-10000, default 10 (API_ListDeliveryStreams). */
export const MAX_LIST_LIMIT = 10_000;
export const DEFAULT_LIST_LIMIT = 10;

/** `!{firehose:random-string}` "evaluates to a random string of 11 characters" (s3-prefixes). */
export const RANDOM_STRING_LENGTH = 11;

/**
 * Not an AWS limit: how often the local server tries one S3 write before it keeps the records
 * buffered and reports the failure (Firehose itself retries for up to 24 hours).
 */
export const S3_WRITE_ATTEMPTS = 3;
export const S3_RETRY_BASE_DELAY_MS = 50;

/** Not an AWS limit: the largest HTTP body the local server reads (a 4 MiB batch in base64 fits). */
export const MAX_HTTP_BODY_BYTES = 16 * MIB;
