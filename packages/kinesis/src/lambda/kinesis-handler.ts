import {
  type AnyEventType,
  type Commit,
  createEventRegistry,
  type DomainEvent,
  type EventRegistry,
  type EventsOf,
  type EventUpcasters,
  type StoreError,
  type UnknownEventPolicy,
} from '@tributary/core';
import { type CommitDecodeError, type CommitDecodeFailure, decodeCommit } from '../commit-codec.js';
import { type HandlerLogger, jsonConsoleLogger, type LogAttributes } from './handler-logger.js';
import type {
  KinesisBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
  LambdaContext,
} from './kinesis-stream-event.js';
import { shardIdOf } from './kinesis-stream-event.js';
import {
  type DeaggregationError,
  type DeaggregationFailure,
  deaggregate,
  type UserRecord,
} from './kpl-deaggregation.js';

/**
 * A decoded commit as the sink receives it, with where it was read from.
 *
 * @example
 * ```ts
 * const sink: KinesisCommitSink<ShopEvent> = async (commits) => {
 *   for (const { commit, shardId, sequenceNumber } of commits) {
 *     console.log(`${commit.streamId}@${commit.toVersion} from ${shardId}/${sequenceNumber}`);
 *   }
 * };
 * ```
 */
export interface DeliveredCommit<E extends DomainEvent = DomainEvent> {
  /** The commit, its events upcast and decoded. */
  readonly commit: Commit<E>;
  readonly shardId: string;
  /** The Kinesis record's sequence number (shared by every sub-record of a KPL aggregate). */
  readonly sequenceNumber: string;
  /** Position inside a KPL aggregate; absent for a record that was not aggregated. */
  readonly subSequenceNumber?: number;
  readonly partitionKey: string;
  /** When Kinesis received the record, in seconds since the epoch. */
  readonly approximateArrivalTimestamp?: number;
}

/**
 * What a sink may return: how many commits, from the start of the batch it was given, it has
 * handled. Fewer than all means the commit at index `handled` failed; returning nothing means all
 * were handled.
 *
 * @example
 * ```ts
 * const sink: KinesisCommitSink = async (commits) => {
 *   for (const [index, delivered] of commits.entries()) {
 *     try { await apply(delivered.commit); } catch (error) { return { handled: index, error }; }
 *   }
 * };
 * ```
 */
export interface SinkResult {
  readonly handled: number;
  /** Why the commit at index `handled` failed, for the log. */
  readonly error?: unknown;
}

/**
 * Receives decoded commits in record order, in batches of consecutive records. It resolves when
 * the whole batch is handled, resolves `{ handled: k }` when only the first `k` are, and throws
 * (or rejects) when none can be counted on. A commit may be delivered again after a failure or a
 * producer's duplicate publication: drop repeats by `(streamId, version)`.
 *
 * @example
 * ```ts
 * const sink: KinesisCommitSink<ShopEvent> = async (commits) => {
 *   const result = await runner.handle(commits.map((delivered) => delivered.commit));
 *   if (result.isErr()) {
 *     return { handled: result.error.kind === 'ProjectionError' ? result.error.failedAt : 0, error: result.error };
 *   }
 * };
 * ```
 */
export type KinesisCommitSink<E extends DomainEvent = DomainEvent> = (
  commits: readonly DeliveredCommit<E>[],
  // biome-ignore lint/suspicious/noConfusingVoidType: an async sink without `return` has handled all
) => Promise<SinkResult | void>;

/**
 * Why a record was handed to the quarantine callback.
 *
 * @example
 * ```ts
 * // Another producer's records on the stream are expected; anything else raises an alarm.
 * const severity = (reason: QuarantineReason) => (reason === 'UnknownFormat' ? 'info' : 'alarm');
 * ```
 */
export type QuarantineReason =
  | CommitDecodeFailure
  | DeaggregationFailure
  /** An event type the registry does not know, with `onUnknownEventType: 'error'`. */
  | 'UnknownEventType'
  /** An event whose data (after upcasting) fails its codec, or whose upcaster threw. */
  | 'InvalidEvent'
  /** An event with a schema version this code has no upcaster path for. */
  | 'MissingUpcaster';

/**
 * A record (or one sub-record of a KPL aggregate) that can never be decoded by this code.
 *
 * @example
 * ```ts
 * const quarantine: QuarantineCallback = (entry) =>
 *   dlq.send(new SendMessageCommand({
 *     QueueUrl,
 *     MessageBody: JSON.stringify({
 *       reason: entry.reason, message: entry.message, shardId: entry.shardId,
 *       sequenceNumber: entry.sequenceNumber, subSequenceNumber: entry.subSequenceNumber,
 *       data: Buffer.from(entry.data).toString('base64'),
 *     }),
 *   })).then(() => undefined);
 * ```
 */
export interface QuarantinedRecord {
  /** The whole Lambda record it came from. */
  readonly record: KinesisStreamRecord;
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Set when only this sub-record of a KPL aggregate failed. */
  readonly subSequenceNumber?: number;
  readonly partitionKey: string;
  /** The undecodable bytes: the sub-record's, or the whole record's. */
  readonly data: Uint8Array;
  readonly reason: QuarantineReason;
  readonly message: string;
  /** Known when the commit itself decoded and one of its events did not. */
  readonly streamId?: string;
  readonly version?: number;
  readonly cause: CommitDecodeError | DeaggregationError | StoreError;
}

/**
 * Stores an undecodable record somewhere durable (an S3 bucket, an SQS dead-letter queue, a
 * table). The record is skipped only once this resolves; a rejection makes the handler report it
 * (and every later record) for retry.
 *
 * @example
 * ```ts
 * const quarantine: QuarantineCallback = async (entry) => {
 *   await s3.send(new PutObjectCommand({ Bucket: 'dead-letters', Key: `${entry.shardId}/${entry.sequenceNumber}`, Body: entry.data }));
 * };
 * ```
 */
export type QuarantineCallback = (entry: QuarantinedRecord) => Promise<void> | void;

interface CommonOptions<E extends DomainEvent> {
  readonly sink: KinesisCommitSink<E>;
  /** Where undecodable records go. Without it, such a record stops the batch and is retried. */
  readonly quarantine?: QuarantineCallback;
  /**
   * An event of a type the registry does not know: `error` (default) quarantines its record;
   * `skip` leaves the event out of its commit (the commit, its versions unchanged, is delivered).
   */
  readonly onUnknownEventType?: UnknownEventPolicy;
  /** Default: {@link jsonConsoleLogger}. A Powertools `Logger` fits. */
  readonly logger?: HandlerLogger;
  /** At most this many commits per sink call (default: all consecutive decodable records). */
  readonly maxBatchSize?: number;
}

/**
 * Options of {@link createKinesisHandler} with a ready event registry.
 *
 * @example
 * ```ts
 * const registry = createEventRegistry([ProductCreated, ProductPriced], { upcasters });
 * createKinesisHandler({ registry, sink, quarantine });
 * ```
 */
export interface KinesisHandlerRegistryOptions<E extends DomainEvent> extends CommonOptions<E> {
  readonly registry: EventRegistry<E>;
}

/**
 * Options of {@link createKinesisHandler} with event types and upcasters to build a registry of.
 *
 * @example
 * ```ts
 * createKinesisHandler({ eventTypes: [ProductCreated, ProductPriced], upcasters: [productPricedUpcasters], sink });
 * ```
 */
export interface KinesisHandlerEventTypeOptions<Types extends readonly AnyEventType[]>
  extends CommonOptions<EventsOf<Types>> {
  readonly eventTypes: Types;
  readonly upcasters?: readonly EventUpcasters[];
}

/**
 * Options of {@link createKinesisHandler}: either a `registry` or `eventTypes` (with `upcasters`).
 *
 * @example
 * ```ts
 * const options: KinesisHandlerOptions = { eventTypes: [ProductCreated], sink, onUnknownEventType: 'skip' };
 * ```
 */
export type KinesisHandlerOptions<E extends DomainEvent = DomainEvent> =
  | KinesisHandlerRegistryOptions<E>
  | (CommonOptions<E> & {
      readonly eventTypes: readonly AnyEventType[];
      readonly upcasters?: readonly EventUpcasters[];
    });

/**
 * A Lambda handler for a Kinesis event source mapping with `ReportBatchItemFailures` on. It
 * resolves with the records to retry; it rejects only for programmer errors.
 *
 * @example
 * ```ts
 * export const handler: KinesisHandler = createKinesisHandler({ eventTypes, sink });
 * // CDK: new KinesisEventSource(stream, { startingPosition: StartingPosition.TRIM_HORIZON, reportBatchItemFailures: true })
 * ```
 */
export type KinesisHandler = (
  event: KinesisStreamEvent,
  context?: LambdaContext,
) => Promise<KinesisBatchResponse>;

interface Pending<E extends DomainEvent> {
  readonly delivered: DeliveredCommit<E>;
  readonly recordIndex: number;
}

type Decoded<E extends DomainEvent> =
  | { readonly ok: true; readonly delivered: DeliveredCommit<E> }
  | { readonly ok: false; readonly entry: QuarantinedRecord };

const QUARANTINE_CODES = new Set<QuarantineReason>([
  'UnknownEventType',
  'InvalidEvent',
  'MissingUpcaster',
]);

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Creates a Lambda handler for a Kinesis event source mapping (turn on `ReportBatchItemFailures`).
 * Each record is base64-decoded, de-aggregated when the KPL packed it, read as a commit, and its
 * events upcast and decoded; the commits go to `sink` in record order, consecutive records in one
 * call. At the first failure (the sink throws, reports fewer handled than given, or a record
 * cannot be decoded nor quarantined) that record and every later one are returned in
 * `batchItemFailures`, so Lambda retries from there and a later commit never overtakes an earlier
 * one. An undecodable record goes to `quarantine` and is skipped only when that resolves.
 * The handler rejects only for programmer errors (a sink returning an impossible count).
 *
 * @example
 * ```ts
 * import { createKinesisHandler } from '@tributary/kinesis/lambda';
 *
 * export const handler = createKinesisHandler({
 *   eventTypes: [ProductCreated, ProductPriced],
 *   upcasters: [productPricedUpcasters],
 *   sink: async (commits) => {
 *     const result = await runner.handle(commits.map((delivered) => delivered.commit));
 *     // The projector applied the commits before the failing one: report it and the rest.
 *     if (result.isErr()) {
 *       const handled = result.error.kind === 'ProjectionError' ? result.error.failedAt : 0;
 *       return { handled, error: result.error };
 *     }
 *   },
 *   quarantine: (entry) => deadLetters.put(entry), // resolves once stored
 * });
 * ```
 */
export function createKinesisHandler<const Types extends readonly AnyEventType[]>(
  options: KinesisHandlerEventTypeOptions<Types>,
): KinesisHandler;
export function createKinesisHandler<E extends DomainEvent>(
  options: KinesisHandlerRegistryOptions<E>,
): KinesisHandler;
export function createKinesisHandler<E extends DomainEvent>(
  options: KinesisHandlerOptions<E>,
): KinesisHandler {
  const registry: EventRegistry<E> =
    'registry' in options
      ? options.registry
      : (createEventRegistry(options.eventTypes, {
          ...(options.upcasters === undefined ? {} : { upcasters: options.upcasters }),
          onUnknownType: 'skip',
        }) as unknown as EventRegistry<E>);
  const { sink, quarantine } = options;
  const onUnknownEventType = options.onUnknownEventType ?? 'error';
  const logger = options.logger ?? jsonConsoleLogger();
  const maxBatchSize = options.maxBatchSize ?? Number.POSITIVE_INFINITY;
  if (
    !(maxBatchSize >= 1) ||
    (maxBatchSize !== Number.POSITIVE_INFINITY && !Number.isInteger(maxBatchSize))
  ) {
    throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
  }

  const decodeUserRecord = (
    record: KinesisStreamRecord,
    shardId: string,
    user: UserRecord,
  ): Decoded<E> => {
    const where = {
      record,
      shardId,
      sequenceNumber: record.kinesis.sequenceNumber,
      ...(user.subSequenceNumber === undefined
        ? {}
        : { subSequenceNumber: user.subSequenceNumber }),
      partitionKey: user.partitionKey,
      data: user.data,
    };
    const commit = decodeCommit(user.data);
    if (commit.isErr()) {
      const cause = commit.error;
      return {
        ok: false,
        entry: { ...where, reason: cause.reason, message: cause.message, cause },
      };
    }
    // The unknown-type policy is applied here, whatever the policy a given registry was built with.
    let events = commit.value.events;
    const unknown = events.find((event) => !registry.has(event.type));
    if (unknown !== undefined) {
      if (onUnknownEventType === 'error') {
        const message = `unknown event type "${unknown.type}" at ${unknown.streamId}@${unknown.version}`;
        const cause: StoreError = {
          kind: 'StoreError',
          code: 'UnknownEventType',
          message,
          streamId: unknown.streamId,
          version: unknown.version,
        };
        return {
          ok: false,
          entry: {
            ...where,
            reason: 'UnknownEventType',
            message,
            streamId: unknown.streamId,
            version: unknown.version,
            cause,
          },
        };
      }
      events = events.filter((event) => registry.has(event.type));
    }
    const decoded = registry.decodeCommit({ ...commit.value, events });
    if (decoded.isErr()) {
      const cause = decoded.error;
      const reason = QUARANTINE_CODES.has(cause.code as QuarantineReason)
        ? (cause.code as QuarantineReason)
        : 'InvalidEvent';
      return {
        ok: false,
        entry: {
          ...where,
          reason,
          message: cause.message,
          streamId: commit.value.streamId,
          version: cause.version ?? commit.value.fromVersion,
          cause,
        },
      };
    }
    return {
      ok: true,
      delivered: {
        commit: decoded.value,
        shardId,
        sequenceNumber: record.kinesis.sequenceNumber,
        ...(user.subSequenceNumber === undefined
          ? {}
          : { subSequenceNumber: user.subSequenceNumber }),
        partitionKey: user.partitionKey,
        ...(record.kinesis.approximateArrivalTimestamp === undefined
          ? {}
          : { approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp }),
      },
    };
  };

  const decodeRecord = (record: KinesisStreamRecord): Decoded<E>[] => {
    const shardId = shardIdOf(record);
    const data = Buffer.from(record.kinesis.data, 'base64');
    const users = deaggregate(data, record.kinesis.partitionKey);
    if (users.isErr()) {
      const cause = users.error;
      return [
        {
          ok: false,
          entry: {
            record,
            shardId,
            sequenceNumber: record.kinesis.sequenceNumber,
            partitionKey: record.kinesis.partitionKey,
            data,
            reason: cause.reason,
            message: cause.message,
            cause,
          },
        },
      ];
    }
    return users.value.map((user) => decodeUserRecord(record, shardId, user));
  };

  return async (event, context) => {
    const records = event.Records;
    const request =
      context?.awsRequestId === undefined ? {} : { awsRequestId: context.awsRequestId };
    const pending: Pending<E>[] = [];
    let delivered = 0;
    let quarantined = 0;

    const fail = (recordIndex: number, attributes: LogAttributes, message: string) => {
      const identifiers = new Set<string>();
      for (const record of records.slice(recordIndex))
        identifiers.add(record.kinesis.sequenceNumber);
      const failed = records[recordIndex];
      logger.error(message, {
        ...request,
        shardId: failed === undefined ? undefined : shardIdOf(failed),
        sequenceNumber: failed?.kinesis.sequenceNumber,
        ...attributes,
        delivered,
        quarantined,
        reported: identifiers.size,
      });
      return { batchItemFailures: [...identifiers].map((itemIdentifier) => ({ itemIdentifier })) };
    };

    /** Hands the pending commits to the sink; returns the record index to fail from, if any. */
    const flush = async (): Promise<
      { readonly recordIndex: number; readonly attributes: LogAttributes } | undefined
    > => {
      if (pending.length === 0) return undefined;
      const batch = pending.splice(0, pending.length);
      let handled: number;
      let error: unknown;
      try {
        const result = await sink(batch.map((entry) => entry.delivered));
        handled = result?.handled ?? batch.length;
        error = result?.error;
      } catch (cause) {
        handled = 0;
        error = cause;
      }
      if (!Number.isInteger(handled) || handled < 0 || handled > batch.length) {
        throw new RangeError(
          `the sink reported ${handled} commits handled of a batch of ${batch.length}`,
        );
      }
      delivered += handled;
      const first = batch[handled];
      if (first === undefined) return undefined;
      return {
        recordIndex: first.recordIndex,
        attributes: {
          streamId: first.delivered.commit.streamId,
          version: first.delivered.commit.fromVersion,
          toVersion: first.delivered.commit.toVersion,
          ...(first.delivered.subSequenceNumber === undefined
            ? {}
            : { subSequenceNumber: first.delivered.subSequenceNumber }),
          handledInBatch: handled,
          batchSize: batch.length,
          ...(error === undefined ? {} : { error: messageOf(error) }),
        },
      };
    };

    for (const [recordIndex, record] of records.entries()) {
      for (const decoded of decodeRecord(record)) {
        if (decoded.ok) {
          pending.push({ delivered: decoded.delivered, recordIndex });
          if (pending.length >= maxBatchSize) {
            const stopped = await flush();
            if (stopped !== undefined) {
              return fail(
                stopped.recordIndex,
                stopped.attributes,
                'sink failed; retrying from here',
              );
            }
          }
          continue;
        }
        // Everything before an undecodable record is handled before it is quarantined, so a
        // failure of either leaves nothing later applied.
        const stopped = await flush();
        if (stopped !== undefined) {
          return fail(stopped.recordIndex, stopped.attributes, 'sink failed; retrying from here');
        }
        const { entry } = decoded;
        const attributes: LogAttributes = {
          ...request,
          shardId: entry.shardId,
          sequenceNumber: entry.sequenceNumber,
          ...(entry.subSequenceNumber === undefined
            ? {}
            : { subSequenceNumber: entry.subSequenceNumber }),
          ...(entry.streamId === undefined ? {} : { streamId: entry.streamId }),
          ...(entry.version === undefined ? {} : { version: entry.version }),
          reason: entry.reason,
          detail: entry.message,
        };
        if (quarantine === undefined) {
          return fail(recordIndex, attributes, 'undecodable record and no quarantine; retrying');
        }
        try {
          await quarantine(entry);
        } catch (cause) {
          return fail(
            recordIndex,
            { ...attributes, error: messageOf(cause) },
            'quarantine failed; retrying from this record',
          );
        }
        quarantined += 1;
        logger.warn('kinesis record quarantined', attributes);
      }
    }
    const stopped = await flush();
    if (stopped !== undefined) {
      return fail(stopped.recordIndex, stopped.attributes, 'sink failed; retrying from here');
    }
    const first = records[0];
    logger.info('kinesis batch handled', {
      ...request,
      shardId: first === undefined ? undefined : shardIdOf(first),
      records: records.length,
      delivered,
      quarantined,
    });
    return { batchItemFailures: [] };
  };
}
