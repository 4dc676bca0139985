import { randomInt } from 'node:crypto';
import { readCreateDeliveryStream } from './firehose-config.js';
import { DeliveryStreamRuntime, type S3ClientLike } from './firehose-delivery.js';
import {
  FirehoseApiError,
  type FirehoseDeliveryFailure,
  invalidArgument,
} from './firehose-errors.js';
import { InputReader } from './firehose-input.js';
import {
  DEFAULT_LIST_LIMIT,
  DELIVERY_STREAM_NAME_PATTERN,
  MAX_BYTES_PER_PUT_RECORD_BATCH,
  MAX_DELIVERY_STREAM_NAME_LENGTH,
  MAX_LIST_LIMIT,
  MAX_RECORD_BYTES,
  MAX_RECORDS_PER_PUT_RECORD_BATCH,
} from './firehose-limits.js';
import type { ReceivedRecord, TransformationFunction } from './firehose-transformation.js';

/**
 * A record offered to a {@link RecordRejection} before the local Firehose accepts it.
 *
 * @example
 * ```ts
 * const isSecondEntry = (record: OfferedRecord) => record.index === 1;
 * ```
 */
export interface OfferedRecord {
  readonly deliveryStreamName: string;
  /** The record's position in its PutRecordBatch call (0 for PutRecord). */
  readonly index: number;
  readonly data: Uint8Array;
}

/**
 * Decides whether the local Firehose refuses a record the way a throttled Firehose does:
 * PutRecordBatch answers that entry with `ErrorCode: 'ServiceUnavailableException'` (and counts
 * it in `FailedPutCount`), PutRecord fails with `ServiceUnavailableException`. Refused records are
 * not buffered. Use it to test that producers resend exactly the failed entries.
 *
 * @example
 * ```ts
 * let calls = 0;
 * firehose.rejectRecords((record) => record.index % 2 === 1 && calls++ < 10);
 * ```
 */
export type RecordRejection = (record: OfferedRecord) => boolean;

const STREAM_NAME = {
  required: true,
  min: 1,
  max: MAX_DELIVERY_STREAM_NAME_LENGTH,
  pattern: DELIVERY_STREAM_NAME_PATTERN,
} as const;

const THROTTLED = { code: 'ServiceUnavailableException', message: 'Slow down.' } as const;

/** Options of {@link FirehoseService}. */
export interface FirehoseServiceOptions {
  readonly s3: S3ClientLike;
  readonly clock: () => Date;
  readonly region: string;
  readonly accountId: string;
  readonly transformation: (lambdaArn: string) => TransformationFunction | undefined;
  readonly rejection: () => RecordRejection | undefined;
}

/** The Firehose API operations over the delivery streams the local server holds. */
export class FirehoseService {
  private readonly streams = new Map<string, DeliveryStreamRuntime>();
  /** Deleted streams that still hold records; flush() keeps delivering them. */
  private readonly retired = new Set<DeliveryStreamRuntime>();
  private readonly recordIdBase = Array.from({ length: 40 }, () => randomInt(10)).join('');
  private recordCounter = 0;

  constructor(private readonly options: FirehoseServiceOptions) {}

  /** Runs one API operation; throws {@link FirehoseApiError} for API errors. */
  async call(operation: string, body: unknown): Promise<unknown> {
    const input = InputReader.root(body);
    switch (operation) {
      case 'CreateDeliveryStream':
        return this.createDeliveryStream(input);
      case 'DescribeDeliveryStream':
        return this.describeDeliveryStream(input);
      case 'ListDeliveryStreams':
        return this.listDeliveryStreams(input);
      case 'DeleteDeliveryStream':
        return this.deleteDeliveryStream(input);
      case 'PutRecord':
        return this.putRecord(input);
      case 'PutRecordBatch':
        return this.putRecordBatch(input);
      default:
        throw new FirehoseApiError(
          'UnknownOperationException',
          `The local Firehose does not implement ${operation}; it implements CreateDeliveryStream, DescribeDeliveryStream, ListDeliveryStreams, DeleteDeliveryStream, PutRecord and PutRecordBatch`,
        );
    }
  }

  /** Delivers what every stream (or the named one) buffers; resolves with what failed. */
  async flush(deliveryStreamName?: string): Promise<FirehoseDeliveryFailure[]> {
    if (deliveryStreamName !== undefined) {
      const stream = this.streams.get(deliveryStreamName);
      if (stream === undefined) {
        throw new Error(`The local Firehose has no delivery stream named ${deliveryStreamName}`);
      }
      return stream.flush();
    }
    const running = [...this.streams.values()].map((stream) => stream.flush());
    const retired = [...this.retired].map((stream) => this.flushRetired(stream));
    return (await Promise.all([...running, ...retired])).flat();
  }

  /** Stops every timer of every stream (after a flush). */
  dispose(): void {
    for (const stream of [...this.streams.values(), ...this.retired]) stream.dispose();
  }

  private async flushRetired(stream: DeliveryStreamRuntime): Promise<FirehoseDeliveryFailure[]> {
    const failures = await stream.flush();
    if (failures.length === 0 && !stream.hasWork() && this.retired.delete(stream)) stream.dispose();
    return failures;
  }

  private stream(name: string): DeliveryStreamRuntime {
    const stream = this.streams.get(name);
    if (stream === undefined) {
      throw new FirehoseApiError(
        'ResourceNotFoundException',
        `Firehose stream ${name} under account ${this.options.accountId} not found.`,
      );
    }
    return stream;
  }

  private nextRecordId(): string {
    this.recordCounter += 1;
    return `${this.recordIdBase}${String(this.recordCounter).padStart(16, '0')}`;
  }

  private createDeliveryStream(input: InputReader) {
    const config = readCreateDeliveryStream(input, {
      region: this.options.region,
      accountId: this.options.accountId,
      now: this.options.clock(),
    });
    if (this.streams.has(config.name)) {
      throw new FirehoseApiError(
        'ResourceInUseException',
        `Firehose stream ${config.name} under account ${this.options.accountId} already exists.`,
      );
    }
    this.streams.set(
      config.name,
      new DeliveryStreamRuntime(config, {
        s3: this.options.s3,
        now: this.options.clock,
        region: this.options.region,
        transformation: this.options.transformation,
      }),
    );
    return { DeliveryStreamARN: config.arn };
  }

  private describeDeliveryStream(input: InputReader) {
    const name = input.string('DeliveryStreamName', STREAM_NAME);
    input.number('Limit', { integer: true, min: 1, max: MAX_LIST_LIMIT });
    const exclusiveStart = input.string('ExclusiveStartDestinationId', { min: 1, max: 100 });
    input.finish();
    const { config } = this.stream(name ?? '');
    const destination = config.destinationDescription;
    return {
      DeliveryStreamDescription: {
        DeliveryStreamName: config.name,
        DeliveryStreamARN: config.arn,
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
        DeliveryStreamType: config.type,
        VersionId: config.version,
        CreateTimestamp: config.createdAt.getTime() / 1000,
        Destinations: exclusiveStart === destination.DestinationId ? [] : [destination],
        HasMoreDestinations: false,
      },
    };
  }

  private listDeliveryStreams(input: InputReader) {
    const limit =
      input.number('Limit', { integer: true, min: 1, max: MAX_LIST_LIMIT }) ?? DEFAULT_LIST_LIMIT;
    const type = input.string('DeliveryStreamType', {
      oneOf: ['DirectPut', 'KinesisStreamAsSource', 'MSKAsSource', 'DatabaseAsSource'],
    });
    const after = input.string('ExclusiveStartDeliveryStreamName', {
      min: 1,
      max: MAX_DELIVERY_STREAM_NAME_LENGTH,
      pattern: DELIVERY_STREAM_NAME_PATTERN,
    });
    input.finish();
    const names = [...this.streams.values()]
      .filter((stream) => type === undefined || stream.config.type === type)
      .map((stream) => stream.config.name)
      .filter((name) => after === undefined || name > after)
      .sort();
    return {
      DeliveryStreamNames: names.slice(0, limit),
      HasMoreDeliveryStreams: names.length > limit,
    };
  }

  private deleteDeliveryStream(input: InputReader) {
    const name = input.string('DeliveryStreamName', STREAM_NAME);
    input.boolean('AllowForceDelete');
    input.finish();
    const stream = this.stream(name ?? '');
    this.streams.delete(stream.config.name);
    // Firehose may still deliver what a deleted stream buffered; the local one does, and keeps
    // the stream until it has (flush() reports a failure to).
    this.retired.add(stream);
    void this.flushRetired(stream);
    return {};
  }

  private offer(name: string, index: number, data: Buffer): boolean {
    const rejection = this.options.rejection();
    return rejection === undefined || !rejection({ deliveryStreamName: name, index, data });
  }

  private putRecord(input: InputReader) {
    const name = input.string('DeliveryStreamName', STREAM_NAME);
    const data = input
      .object('Record', { required: true })
      ?.blob('Data', { required: true, max: MAX_RECORD_BYTES });
    input.finish();
    const stream = this.stream(name ?? '');
    if (data === undefined) throw invalidArgument('Record.Data is required');
    if (!this.offer(stream.config.name, 0, data)) {
      throw new FirehoseApiError(THROTTLED.code, THROTTLED.message);
    }
    const record = this.receive(data);
    stream.accept([record]);
    return { RecordId: record.recordId, Encrypted: false };
  }

  private putRecordBatch(input: InputReader) {
    const name = input.string('DeliveryStreamName', STREAM_NAME);
    const entries = input.list('Records', {
      required: true,
      min: 1,
      max: MAX_RECORDS_PER_PUT_RECORD_BATCH,
    });
    const data = (entries ?? []).map((entry) =>
      entry.blob('Data', { required: true, max: MAX_RECORD_BYTES }),
    );
    input.finish();
    const stream = this.stream(name ?? '');
    let total = 0;
    for (const bytes of data) total += bytes?.length ?? 0;
    if (total > MAX_BYTES_PER_PUT_RECORD_BATCH) {
      throw invalidArgument(
        `Records size exceeds 4 MB limit: the batch carries ${total} bytes of data, at most ${MAX_BYTES_PER_PUT_RECORD_BATCH} are allowed`,
      );
    }
    const accepted: ReceivedRecord[] = [];
    const responses = data.map((bytes, index) => {
      if (bytes === undefined || !this.offer(stream.config.name, index, bytes)) {
        return { ErrorCode: THROTTLED.code, ErrorMessage: THROTTLED.message };
      }
      const record = this.receive(bytes);
      accepted.push(record);
      return { RecordId: record.recordId };
    });
    stream.accept(accepted);
    return {
      FailedPutCount: responses.length - accepted.length,
      Encrypted: false,
      RequestResponses: responses,
    };
  }

  private receive(data: Buffer): ReceivedRecord {
    return { recordId: this.nextRecordId(), data, arrival: this.options.clock().getTime() };
  }
}
