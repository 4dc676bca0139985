import { randomUUID } from 'node:crypto';
import { MAX_LAMBDA_PAYLOAD_BYTES } from './firehose-limits.js';

/**
 * One record of a {@link FirehoseTransformationEvent}: the bytes a producer put, base64-encoded.
 *
 * @example
 * ```ts
 * const text = (record: FirehoseTransformationEventRecord) =>
 *   Buffer.from(record.data, 'base64').toString('utf8');
 * ```
 */
export interface FirehoseTransformationEventRecord {
  readonly recordId: string;
  /** When Firehose received the record, in milliseconds since the epoch. */
  readonly approximateArrivalTimestamp: number;
  /** The record's data, base64-encoded. */
  readonly data: string;
}

/**
 * The event Amazon Data Firehose invokes a transformation Lambda with (DirectPut source), as the
 * local Firehose passes it to a {@link TransformationFunction}.
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 *
 * @example
 * ```ts
 * const event: FirehoseTransformationEvent = {
 *   invocationId: 'c0ffee00-0000-4000-8000-000000000000',
 *   deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/archive',
 *   region: 'us-east-1',
 *   records: [{ recordId: '1', approximateArrivalTimestamp: Date.now(), data: 'eyJhIjoxfQ==' }],
 * };
 * ```
 */
export interface FirehoseTransformationEvent {
  readonly invocationId: string;
  readonly deliveryStreamArn: string;
  readonly region: string;
  readonly records: readonly FirehoseTransformationEventRecord[];
}

/**
 * What a transformation decided for one record: `Ok` delivers `data`, `Dropped` discards the
 * record on purpose, `ProcessingFailed` sends the original record to the error output prefix.
 * Any other value fails the record with `Lambda.JsonProcessingException`.
 *
 * @example
 * ```ts
 * const status: FirehoseTransformationStatus = valid ? 'Ok' : 'ProcessingFailed';
 * ```
 */
export type FirehoseTransformationStatus = 'Ok' | 'Dropped' | 'ProcessingFailed';

/**
 * One record of a {@link FirehoseTransformationResult}. A record whose `data` is not base64, or
 * whose `recordId` is missing or repeated, fails processing (it goes to the error output prefix).
 *
 * @example
 * ```ts
 * const out: FirehoseTransformationResultRecord = {
 *   recordId: record.recordId,
 *   result: 'Ok',
 *   data: record.data,
 *   metadata: { partitionKeys: { tenant: 'acme' } },
 * };
 * ```
 */
export interface FirehoseTransformationResultRecord {
  /** The recordId of the input record this answers; every input record needs exactly one. */
  readonly recordId: string;
  readonly result: FirehoseTransformationStatus;
  /** The transformed data, base64-encoded (delivered as-is: add newlines here if you want them). */
  readonly data: string;
  /** With dynamic partitioning: the values of `!{partitionKeyFromLambda:<key>}` expressions. */
  readonly metadata?: { readonly partitionKeys: Readonly<Record<string, string>> };
}

/**
 * What a transformation Lambda returns to Amazon Data Firehose.
 *
 * @example
 * ```ts
 * const result: FirehoseTransformationResult = {
 *   records: [{ recordId: '1', result: 'Ok', data: Buffer.from('{"a":1}\n').toString('base64') }],
 * };
 * ```
 */
export interface FirehoseTransformationResult {
  readonly records: readonly FirehoseTransformationResultRecord[];
}

/**
 * A Firehose transformation Lambda's handler, registered with the local Firehose under the Lambda
 * ARN that a delivery stream's `Lambda` processor names. A thrown error or rejection counts as a
 * failed invocation: Firehose retries it `NumberOfRetries` times (default 3), then sends every
 * record of the batch to the error output prefix with `Lambda.FunctionError`.
 *
 * @example
 * ```ts
 * const addNewline: TransformationFunction = (event) => ({
 *   records: event.records.map((record) => ({
 *     recordId: record.recordId,
 *     result: 'Ok',
 *     data: Buffer.concat([Buffer.from(record.data, 'base64'), Buffer.from('\n')]).toString('base64'),
 *   })),
 * });
 * ```
 */
export type TransformationFunction = (
  event: FirehoseTransformationEvent,
) => FirehoseTransformationResult | Promise<FirehoseTransformationResult>;

// ---------------------------------------------------------------------------------------------
// Invoking a transformation and reading its answer
// ---------------------------------------------------------------------------------------------

/** A record as Firehose received it. */
export interface ReceivedRecord {
  readonly recordId: string;
  readonly data: Buffer;
  /** Arrival time, milliseconds since the epoch. */
  readonly arrival: number;
}

/** A record the transformation returned `Ok` for. */
export interface TransformedRecord {
  readonly original: ReceivedRecord;
  readonly data: Buffer;
  readonly partitionKeys: Readonly<Record<string, string>> | undefined;
}

/** A record that failed processing, with the fields of Firehose's error record. */
export interface FailedRecord {
  readonly original: ReceivedRecord;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attemptsMade: number;
  readonly attemptEndingTimestamp: number;
}

/** The outcome of one batch of records. */
export interface TransformationOutcome {
  readonly transformed: readonly TransformedRecord[];
  readonly failed: readonly FailedRecord[];
  readonly dropped: readonly ReceivedRecord[];
}

// Error codes and messages as Firehose writes them into processing-failed records.
const FUNCTION_ERROR = [
  'Lambda.FunctionError',
  'The Lambda function was successfully invoked but it returned an error result.',
] as const;
const MISSING_RECORD_ID = [
  'Lambda.MissingRecordId',
  'One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.',
] as const;
const DUPLICATED_RECORD_ID = [
  'Lambda.DuplicatedRecordId',
  'Multiple records were returned with the same record ID. Ensure that the Lambda function returns unique record IDs for each record.',
] as const;
const PROCESSING_FAILED = [
  'Lambda.ProcessingFailedStatus',
  'ProcessingFailed status set for record',
] as const;
const INVALID_FORMAT = [
  'Lambda.JsonProcessingException',
  'Check your function and make sure the output is in required format. In addition to that, make sure the processed records contain valid result status of Dropped, Ok, or ProcessingFailed',
] as const;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const readPartitionKeys = (metadata: unknown): Record<string, string> | undefined | null => {
  if (metadata === undefined || metadata === null) return undefined;
  if (!isRecord(metadata)) return null;
  const keys = metadata.partitionKeys;
  if (keys === undefined || keys === null) return undefined;
  if (!isRecord(keys)) return null;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(keys)) {
    // A key whose value is not a string is treated as absent, so partitioning fails for it.
    if (typeof value === 'string') out[key] = value;
  }
  return out;
};

/** What `invoke` needs besides the function and records. */
export interface InvocationContext {
  readonly deliveryStreamArn: string;
  readonly region: string;
  readonly numberOfRetries: number;
  readonly now: () => number;
}

/**
 * Invokes `fn` with one batch the way Firehose does (retrying a failed invocation
 * `numberOfRetries` times), then reads the answer record by record: `Ok` with valid base64 data is
 * transformed, `Dropped` is dropped, and `ProcessingFailed`, a missing or duplicated record id, or
 * an entry in the wrong shape fails that record. A failed invocation fails the whole batch.
 */
export const invokeTransformation = async (
  fn: TransformationFunction,
  records: readonly ReceivedRecord[],
  context: InvocationContext,
): Promise<TransformationOutcome> => {
  const attempts = context.numberOfRetries + 1;
  let attemptsMade = 0;
  let response: unknown;
  let invoked = false;
  while (attemptsMade < attempts && !invoked) {
    attemptsMade += 1;
    const event: FirehoseTransformationEvent = {
      invocationId: randomUUID(),
      deliveryStreamArn: context.deliveryStreamArn,
      region: context.region,
      records: records.map((record) => ({
        recordId: record.recordId,
        approximateArrivalTimestamp: record.arrival,
        data: record.data.toString('base64'),
      })),
    };
    try {
      response = await fn(event);
      invoked = true;
    } catch {
      // Counted as a failed invocation; Firehose retries it.
    }
  }
  const ended = context.now();
  const failAll = ([errorCode, errorMessage]: readonly [
    string,
    string,
  ]): TransformationOutcome => ({
    transformed: [],
    dropped: [],
    failed: records.map((original) => ({
      original,
      errorCode,
      errorMessage,
      attemptsMade,
      attemptEndingTimestamp: ended,
    })),
  });
  if (!invoked) return failAll(FUNCTION_ERROR);
  let responseBytes: number;
  try {
    responseBytes = Buffer.byteLength(JSON.stringify(response) ?? '');
  } catch {
    return failAll(INVALID_FORMAT);
  }
  if (responseBytes > MAX_LAMBDA_PAYLOAD_BYTES) return failAll(FUNCTION_ERROR);
  if (!isRecord(response) || !Array.isArray(response.records)) return failAll(INVALID_FORMAT);

  const answers = new Map<string, unknown[]>();
  for (const entry of response.records as unknown[]) {
    const id = isRecord(entry) ? entry.recordId : undefined;
    if (typeof id !== 'string') continue;
    answers.set(id, [...(answers.get(id) ?? []), entry]);
  }
  const transformed: TransformedRecord[] = [];
  const failed: FailedRecord[] = [];
  const dropped: ReceivedRecord[] = [];
  const fail = (original: ReceivedRecord, [errorCode, errorMessage]: readonly [string, string]) =>
    failed.push({ original, errorCode, errorMessage, attemptsMade, attemptEndingTimestamp: ended });
  for (const original of records) {
    const entries = answers.get(original.recordId);
    if (entries === undefined) {
      fail(original, MISSING_RECORD_ID);
      continue;
    }
    if (entries.length > 1) {
      fail(original, DUPLICATED_RECORD_ID);
      continue;
    }
    const entry = entries[0];
    if (!isRecord(entry) || typeof entry.data !== 'string' || !BASE64.test(entry.data)) {
      fail(original, INVALID_FORMAT);
      continue;
    }
    const partitionKeys = readPartitionKeys(entry.metadata);
    if (partitionKeys === null) {
      fail(original, INVALID_FORMAT);
      continue;
    }
    switch (entry.result) {
      case 'Ok':
        transformed.push({ original, data: Buffer.from(entry.data, 'base64'), partitionKeys });
        break;
      case 'Dropped':
        dropped.push(original);
        break;
      case 'ProcessingFailed':
        fail(original, PROCESSING_FAILED);
        break;
      default:
        fail(original, INVALID_FORMAT);
    }
  }
  return { transformed, failed, dropped };
};
