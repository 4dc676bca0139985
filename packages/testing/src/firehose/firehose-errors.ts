/**
 * An error the local Firehose answers an API call with, in the AWS JSON 1.1 error shape
 * (`{"__type": code, "message": ...}`): the SDK turns `code` into the error's `name`.
 */
export class FirehoseApiError extends Error {
  override readonly name = 'FirehoseApiError';

  constructor(
    readonly code: FirehoseErrorCode,
    message: string,
    readonly status: number = statusOf(code),
  ) {
    super(message);
  }
}

/** The error codes the local server answers with. */
export type FirehoseErrorCode =
  | 'InvalidArgumentException'
  | 'ValidationException'
  | 'SerializationException'
  | 'ResourceNotFoundException'
  | 'ResourceInUseException'
  | 'ServiceUnavailableException'
  | 'UnknownOperationException'
  | 'InternalFailure';

const statusOf = (code: FirehoseErrorCode): number => {
  switch (code) {
    case 'ServiceUnavailableException':
      return 503;
    case 'InternalFailure':
      return 500;
    default:
      return 400;
  }
};

export const invalidArgument = (message: string) =>
  new FirehoseApiError('InvalidArgumentException', message);

export const serializationError = (message: string) =>
  new FirehoseApiError('SerializationException', message);

/**
 * One write the local Firehose could not finish: the records stay buffered in the delivery stream
 * and the next delivery (a buffer hint, `flush()` or `stop()`) tries them again.
 *
 * @example
 * ```ts
 * const failure: FirehoseDeliveryFailure = {
 *   deliveryStreamName: 'archive',
 *   stage: 's3-write',
 *   bucket: 'archive',
 *   key: '2024/05/01/13/archive-1-2024-05-01-13-45-10-0b9e...',
 *   recordCount: 2,
 *   cause: new Error('NoSuchBucket'),
 * };
 * ```
 */
export interface FirehoseDeliveryFailure {
  readonly deliveryStreamName: string;
  /** What was being done: an S3 write, or a transformation that could not be invoked. */
  readonly stage: 's3-write' | 'transformation';
  /** The S3 bucket and key of the write, when the stage is `s3-write`. */
  readonly bucket?: string;
  readonly key?: string;
  /** How many Firehose records the failed step carried (they are still buffered). */
  readonly recordCount: number;
  readonly cause: unknown;
}

/**
 * Rejection of `LocalFirehose.flush()` and `stop()` when records could not be delivered. Nothing
 * is dropped: the records named in `failures` are still buffered, and a later `flush()` retries.
 *
 * @example
 * ```ts
 * try {
 *   await firehose.flush();
 * } catch (error) {
 *   if (error instanceof FirehoseDeliveryError) console.error(error.failures);
 * }
 * ```
 */
export class FirehoseDeliveryError extends Error {
  override readonly name = 'FirehoseDeliveryError';

  constructor(readonly failures: readonly FirehoseDeliveryFailure[]) {
    super(describeFailures(failures), { cause: failures[0]?.cause });
  }
}

const describeFailures = (failures: readonly FirehoseDeliveryFailure[]): string => {
  const lines = failures.map((failure) => {
    const where =
      failure.stage === 's3-write'
        ? `writing s3://${failure.bucket ?? '?'}/${failure.key ?? '?'}`
        : 'invoking the transformation';
    const cause = failure.cause instanceof Error ? failure.cause.message : String(failure.cause);
    return `${failure.deliveryStreamName}: ${where} failed for ${failure.recordCount} record(s), still buffered: ${cause}`;
  });
  return `Local Firehose could not deliver buffered records:\n${lines.join('\n')}`;
};
