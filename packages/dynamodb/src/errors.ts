import {
  describeCommit,
  type HeadConflict,
  type HeadWrite,
  type StoreError,
  type StreamHead,
  storeError,
} from '@tributary/core';

/** An error as the AWS SDK v3 deserialises it from a service answer. */
interface AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

// Error codes that mean "try again later": throttling, capacity, and DynamoDB's transient ones.
const UNAVAILABLE_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
  'TransactionConflictException',
  'RequestTimeout',
  'RequestTimeoutException',
]);

// What Node and the SDK's HTTP handler throw when the network fails: no answer from the service.
const NETWORK_ERROR_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'AbortError']);
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

const isServiceError = (error: unknown): error is AwsServiceError =>
  error instanceof Error &&
  '$fault' in error &&
  (error.$fault === 'client' || error.$fault === 'server');

const isNetworkError = (error: unknown): error is Error =>
  error instanceof Error &&
  (NETWORK_ERROR_NAMES.has(error.name) ||
    ('code' in error && NETWORK_ERROR_CODES.has(String(error.code))));

/** Whether an SDK error is DynamoDB refusing an item over 400 KB. */
const isItemTooLarge = (error: AwsServiceError): boolean =>
  error.name === 'ValidationException' && /item size/i.test(error.message);

/** The name an SDK error carries, for `instanceof`-free checks that work across SDK copies. */
export const errorName = (error: unknown): string | undefined =>
  error instanceof Error ? error.name : undefined;

/**
 * Turns an exception from the DynamoDB client into a `StoreError`: throttling, 5xx answers,
 * timeouts and network failures are `Unavailable`; an item DynamoDB finds too large is
 * `LimitExceeded`; other service errors (a missing table, a rejected request) are `Unexpected`.
 * Anything that is not an AWS or network error is rethrown: it is a bug, or a simulated crash
 * in a test, and must not turn into a value.
 */
export const awsStoreError = (
  error: unknown,
  what: string,
  fields: { readonly streamId?: string; readonly version?: number } = {},
): StoreError => {
  if (isServiceError(error)) {
    const unavailable =
      error.$fault === 'server' ||
      error.$retryable !== undefined ||
      UNAVAILABLE_CODES.has(error.name) ||
      (error.$metadata?.httpStatusCode ?? 0) >= 500;
    const code = unavailable
      ? 'Unavailable'
      : isItemTooLarge(error)
        ? 'LimitExceeded'
        : 'Unexpected';
    return storeError(code, `${what} failed: ${error.name}: ${error.message}`, {
      ...fields,
      cause: error,
    });
  }
  if (isNetworkError(error)) {
    return storeError('Unavailable', `${what} failed: ${error.name}: ${error.message}`, {
      ...fields,
      cause: error,
    });
  }
  throw error;
};

/** A stream id DynamoDB cannot take as a partition key. */
export const invalidStreamId = (streamId: string, reason: string): StoreError =>
  storeError('InvalidInput', `stream id ${JSON.stringify(streamId.slice(0, 80))} ${reason}`, {
    streamId,
  });

/** Says why a head write's condition failed, from the head the store found. */
const describeConflict = (
  streamId: string,
  write: HeadWrite,
  current: StreamHead | undefined,
): string => {
  const expected = write.expectedVersion;
  if (current === undefined) {
    return `head of ${streamId} does not exist, the write expected version ${expected}`;
  }
  if (expected === 0 || current.version !== expected) {
    return `head of ${streamId} is at version ${current.version}, the write expected ${expected === 0 ? 'no head' : `version ${expected}`}`;
  }
  if (current.pending !== undefined) {
    return `head of ${streamId} has an unpublished commit ${describeCommit(current.pending)}`;
  }
  const commandId = write.commit.commandId;
  const applied = current.recentCommands.find((command) => command.commandId === commandId);
  if (applied !== undefined) {
    return `command ${applied.commandId} was already applied to ${streamId} (versions ${applied.fromVersion}..${applied.toVersion})`;
  }
  return `the head write of ${streamId} failed its condition`;
};

/** Creates a {@link HeadConflict} whose message says which part of the condition failed. */
export const headConflict = (
  streamId: string,
  write: HeadWrite,
  current: StreamHead | undefined,
): HeadConflict => ({
  kind: 'HeadConflict',
  message: describeConflict(streamId, write, current),
  streamId,
  current,
});
