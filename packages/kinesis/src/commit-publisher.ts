import { type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { type Commit, type StoreError, storeError } from '@tributary/core';

/** How the publisher retries throttled and transient PutRecord failures. */
export interface PublishRetryOptions {
  /** Attempts in all (default 5). */
  readonly maxAttempts?: number;
  /** Backoff cap of the first retry in ms (default 50); it doubles each retry. */
  readonly initialDelayMs?: number;
  /** Largest backoff cap in ms (default 2,000). */
  readonly maxDelayMs?: number;
}

/** What publishing one commit gave. */
export type PublishOutcome =
  | { readonly published: true; readonly sequenceNumber: string; readonly attempts: number }
  | { readonly published: false; readonly error: StoreError; readonly attempts: number };

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'ThrottlingException',
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

interface AwsLikeError {
  readonly name?: string;
  readonly code?: string;
  readonly $fault?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * Tells an error of the AWS call (the service answered with an error, or the network failed)
 * from anything else. Anything else (a bug, a simulated process crash in a test) is not
 * handled by the store: it propagates, as the process would have died there.
 */
export const isAwsCallError = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as AwsLikeError;
  return (
    candidate.$fault !== undefined ||
    candidate.$retryable !== undefined ||
    candidate.$metadata?.httpStatusCode !== undefined ||
    RETRYABLE_NAMES.has(candidate.name ?? '') ||
    TRANSIENT_CODES.has(candidate.code ?? '')
  );
};

/** Tells whether an AWS call error is worth retrying (throttling, 5xx, network). */
export const isRetryableAwsError = (error: unknown): boolean => {
  const candidate = error as AwsLikeError;
  return (
    candidate.$retryable !== undefined ||
    candidate.$fault === 'server' ||
    (candidate.$metadata?.httpStatusCode ?? 0) >= 500 ||
    RETRYABLE_NAMES.has(candidate.name ?? '') ||
    TRANSIENT_CODES.has(candidate.code ?? '')
  );
};

/** Publishes commits as single Kinesis records, keyed by stream id, with retries. */
export class CommitPublisher {
  readonly #client: KinesisClient;
  readonly #streamName: string;
  readonly #maxAttempts: number;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(options: {
    readonly client: KinesisClient;
    readonly streamName: string;
    readonly retry?: PublishRetryOptions;
    readonly sleep?: (ms: number) => Promise<void>;
    readonly random?: () => number;
  }) {
    this.#client = options.client;
    this.#streamName = options.streamName;
    this.#maxAttempts = options.retry?.maxAttempts ?? 5;
    this.#initialDelayMs = options.retry?.initialDelayMs ?? 50;
    this.#maxDelayMs = options.retry?.maxDelayMs ?? 2_000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
  }

  /**
   * Puts one commit's record. `after` is the sequence number of the stream's previous record
   * (`SequenceNumberForOrdering`). Resolves with the outcome; rejects only for errors that are
   * not AWS call errors.
   */
  async publish(
    commit: Commit,
    data: Uint8Array,
    after: string | undefined,
  ): Promise<PublishOutcome> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
      try {
        const result = await this.#client.send(
          new PutRecordCommand({
            StreamName: this.#streamName,
            PartitionKey: commit.streamId,
            Data: data,
            ...(after === undefined ? {} : { SequenceNumberForOrdering: after }),
          }),
        );
        if (result.SequenceNumber === undefined || result.SequenceNumber === '') {
          // Never seen from Kinesis; storing an empty position would break the next record's
          // SequenceNumberForOrdering, so treat it as a failed publication (it is retried later).
          return {
            published: false,
            error: this.#failure(
              commit,
              new Error('PutRecord returned no SequenceNumber'),
              attempt,
            ),
            attempts: attempt,
          };
        }
        return { published: true, sequenceNumber: result.SequenceNumber, attempts: attempt };
      } catch (error) {
        if (!isAwsCallError(error)) throw error;
        lastError = error;
        if (!isRetryableAwsError(error) || attempt === this.#maxAttempts) {
          return {
            published: false,
            error: this.#failure(commit, error, attempt),
            attempts: attempt,
          };
        }
        const cap = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** (attempt - 1));
        await this.#sleep(Math.floor(this.#random() * cap));
      }
    }
    return {
      published: false,
      error: this.#failure(commit, lastError, this.#maxAttempts),
      attempts: this.#maxAttempts,
    };
  }

  #failure(commit: Commit, error: unknown, attempts: number): StoreError {
    const name = (error as AwsLikeError | undefined)?.name ?? 'Error';
    return storeError(
      'Unavailable',
      `commit ${commit.streamId}@${commit.fromVersion}..${commit.toVersion} is stored but not yet published to Kinesis stream ${this.#streamName} (PutRecord failed ${attempts} time(s), last with ${name}); the next load of the stream or publishPending() publishes it`,
      { streamId: commit.streamId, version: commit.toVersion, cause: error },
    );
  }
}
