import { randomUUID } from 'node:crypto';

/** The `$metadata` every AWS SDK v3 error carries. */
export interface ErrorMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
  totalRetryDelay?: number;
}

/**
 * A generated AWS service exception class, such as `ProvisionedThroughputExceededException` from
 * `@aws-sdk/client-kinesis`: constructing the real class makes `instanceof` against the service's
 * base exception (`KinesisServiceException`) hold too.
 */
export type ServiceExceptionClass = new (options: {
  message: string;
  $metadata: ErrorMetadata;
}) => Error;

/** Options of {@link throttlingError}. */
export interface ThrottlingErrorOptions {
  /**
   * The error name (the service's error code). Default: `ProvisionedThroughputExceededException`
   * for Kinesis and DynamoDB clients, `SlowDown` for S3, `ThrottlingException` otherwise.
   */
  readonly name?: string;
  readonly message?: string;
  /** HTTP status of the simulated answer. Default: 503 for `SlowDown`, 400 otherwise. */
  readonly httpStatusCode?: number;
  /** Construct this class instead of a look-alike (its `name` then wins over `name`). */
  readonly exception?: ServiceExceptionClass;
  /** The SDK client name (`KinesisClient`) used to choose the default name. */
  readonly clientName?: string;
  /** The operation, for the message. */
  readonly command?: string;
}

/** An AWS error as the SDK deserialises it: `$fault`, `$metadata`, maybe `$retryable`. */
export interface AwsErrorShape extends Error {
  $fault: 'client' | 'server';
  $metadata: ErrorMetadata;
  $retryable?: { throttling?: boolean };
}

// Throttling error codes by SDK client; these names are in the SDK's THROTTLING_ERROR_CODES.
const DEFAULT_THROTTLE_BY_CLIENT: Readonly<Record<string, string>> = {
  KinesisClient: 'ProvisionedThroughputExceededException',
  DynamoDBClient: 'ProvisionedThroughputExceededException',
  S3Client: 'SlowDown',
};

const INJECTED = '(fault injected by @tributary/testing)';

class InjectedServiceError extends Error implements AwsErrorShape {
  $fault: 'client' | 'server';
  $metadata: ErrorMetadata;
  $retryable?: { throttling?: boolean };

  constructor(name: string, message: string, fault: 'client' | 'server', metadata: ErrorMetadata) {
    super(message);
    this.name = name;
    this.$fault = fault;
    this.$metadata = metadata;
  }
}

/**
 * Builds a throttling error that looks exactly like the one the SDK deserialises from a
 * throttled answer: the service's error name, `$fault`, `$metadata.httpStatusCode` (400, or 503
 * for S3's `SlowDown`), a request id, and `$retryable: { throttling: true }`. The SDK's retry
 * strategy classifies it as THROTTLING, and the generated exception classes' `instanceof` holds
 * by name (`error instanceof ProvisionedThroughputExceededException`).
 *
 * @example
 * ```ts
 * const fake = { send: async () => { throw throttlingError({ clientName: 'KinesisClient' }); } };
 * ```
 */
export const throttlingError = (options: ThrottlingErrorOptions = {}): AwsErrorShape => {
  const name =
    options.name ?? DEFAULT_THROTTLE_BY_CLIENT[options.clientName ?? ''] ?? 'ThrottlingException';
  const httpStatusCode = options.httpStatusCode ?? (name === 'SlowDown' ? 503 : 400);
  const message =
    options.message ??
    `Rate exceeded${options.command === undefined ? '' : ` for ${options.command}`} ${INJECTED}`;
  const $metadata: ErrorMetadata = {
    httpStatusCode,
    requestId: randomUUID(),
    attempts: 1,
    totalRetryDelay: 0,
  };
  const fault: 'client' | 'server' = httpStatusCode >= 500 ? 'server' : 'client';
  const error: AwsErrorShape =
    options.exception === undefined
      ? new InjectedServiceError(name, message, fault, $metadata)
      : Object.assign(new options.exception({ message, $metadata }), { $fault: fault, $metadata });
  error.$retryable = { throttling: true };
  return error;
};

/** A Node network error as the SDK's HTTP handler rejects with: `name`, `code`, `$metadata`. */
export interface NetworkErrorShape extends Error {
  code: string;
  $metadata: ErrorMetadata;
}

/**
 * Builds the error the SDK's Node HTTP handler rejects with when a request times out: name
 * `TimeoutError`, code `ETIMEDOUT`, an empty `$metadata` (no answer came back). The SDK's retry
 * strategy classifies it as TRANSIENT. Whether the service applied the request is unknown, as
 * with a real timeout.
 *
 * @example
 * ```ts
 * const fake = { send: async () => { throw timeoutError('PutRecord'); } };
 * ```
 */
export const timeoutError = (command?: string): NetworkErrorShape =>
  Object.assign(
    new Error(
      `${command === undefined ? 'The request' : command} timed out: no answer came back ${INJECTED}`,
    ),
    { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: {} },
  );
