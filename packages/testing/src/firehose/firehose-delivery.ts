import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { DeliveryStreamConfig } from './firehose-config.js';
import type { FirehoseDeliveryFailure } from './firehose-errors.js';
import {
  MAX_LAMBDA_PAYLOAD_BYTES,
  S3_RETRY_BASE_DELAY_MS,
  S3_WRITE_ATTEMPTS,
} from './firehose-limits.js';
import {
  evaluatePrefix,
  missingPartitionKey,
  objectName,
  partitionKeysOf,
} from './firehose-prefix.js';
import {
  type FailedRecord,
  invokeTransformation,
  type ReceivedRecord,
  type TransformationFunction,
} from './firehose-transformation.js';

const gzip = promisify(gzipCallback);

/**
 * The slice of an S3 client the local Firehose writes objects with: the real `S3Client` from
 * `@aws-sdk/client-s3` fits.
 *
 * @example
 * ```ts
 * const s3: S3ClientLike = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1' });
 * ```
 */
export interface S3ClientLike {
  send(command: PutObjectCommand): Promise<unknown>;
}

/** What a delivery stream needs from the server around it. */
export interface DeliveryEnvironment {
  readonly s3: S3ClientLike;
  readonly now: () => Date;
  readonly region: string;
  readonly transformation: (lambdaArn: string) => TransformationFunction | undefined;
}

/** Firehose's `!{firehose:error-output-type}` values the local server produces. */
type ErrorOutputType = 'processing-failed' | 'partitioning-failed';

/** Where a buffer's object goes. */
type Target =
  | { readonly kind: 'data'; readonly partitionKeys: Readonly<Record<string, string>> | undefined }
  | { readonly kind: 'error'; readonly outputType: ErrorOutputType };

/** Bytes destined for one object, with the arrival time of the record they came from. */
interface Entry {
  readonly bytes: Buffer;
  readonly arrival: number;
}

/** The records buffered for one S3 object (one per partition with dynamic partitioning). */
interface ObjectBuffer {
  readonly id: string;
  readonly target: Target;
  entries: Entry[];
  bytes: number;
  timer: NodeJS.Timeout | undefined;
}

const NEWLINE = Buffer.from('\n');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The running part of one delivery stream: a processing buffer in front of the transformation
 * Lambda (when one is configured), then one buffer per S3 object being assembled. A buffer is
 * written as one object when it reaches the buffer size, when its interval elapses, or on flush.
 * A write that fails puts its records back at the front of their buffer, so nothing is dropped.
 */
export class DeliveryStreamRuntime {
  private pending: ReceivedRecord[] = [];
  private pendingBytes = 0;
  private processingTimer: NodeJS.Timeout | undefined;
  private processingChain: Promise<unknown> = Promise.resolve();
  private readonly buffers = new Map<string, ObjectBuffer>();
  /** Work in progress; each promise resolves with its failure, never rejects. */
  private readonly inflight = new Set<Promise<FirehoseDeliveryFailure | undefined>>();
  private disposed = false;

  constructor(
    readonly config: DeliveryStreamConfig,
    private readonly environment: DeliveryEnvironment,
  ) {}

  /** Buffers records a producer put (they are already validated). */
  accept(records: readonly ReceivedRecord[]): void {
    const lambda = this.config.lambda;
    if (lambda === undefined) {
      for (const record of records) {
        this.route(record.data, record.arrival, { kind: 'data', partitionKeys: undefined });
      }
      return;
    }
    for (const record of records) {
      this.pending.push(record);
      this.pendingBytes += record.data.length;
    }
    if (this.pendingBytes >= lambda.bufferSizeBytes) {
      this.startProcessing();
    } else if (this.processingTimer === undefined && this.pending.length > 0) {
      this.processingTimer = this.timer(lambda.bufferIntervalMs, () => this.startProcessing());
    }
  }

  /** True while any record is buffered, being transformed or being written. */
  hasWork(): boolean {
    return this.pending.length > 0 || this.buffers.size > 0 || this.inflight.size > 0;
  }

  /**
   * Transforms and writes everything buffered now, and waits for writes already under way.
   * Resolves with the failures that left records undelivered (they stay buffered); an empty list
   * means every record buffered when `flush` was called is in S3.
   */
  async flush(): Promise<FirehoseDeliveryFailure[]> {
    // Work started before the flush: its failures put records back, which the steps below retry.
    await this.settle();
    this.startProcessing();
    const processingFailures = (await this.settle()).filter(
      (failure) => failure.stage === 'transformation',
    );
    for (const buffer of [...this.buffers.values()]) this.startWrite(buffer);
    return [...processingFailures, ...(await this.settle())];
  }

  /** Stops every timer; buffered records are abandoned (call `flush` first). */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.processingTimer);
    this.processingTimer = undefined;
    for (const buffer of this.buffers.values()) {
      clearTimeout(buffer.timer);
      buffer.timer = undefined;
    }
  }

  private timer(ms: number, run: () => void): NodeJS.Timeout | undefined {
    if (this.disposed) return undefined;
    const handle = setTimeout(run, ms);
    // Buffer timers must not keep a test process alive; the HTTP server does while it runs.
    handle.unref();
    return handle;
  }

  /** Tracks work until it settles; an unexpected rejection becomes a reported failure. */
  private track(
    work: Promise<FirehoseDeliveryFailure | undefined>,
    stage: FirehoseDeliveryFailure['stage'],
    recordCount: number,
  ): void {
    const settled = work.catch(
      (cause: unknown): FirehoseDeliveryFailure => ({
        deliveryStreamName: this.config.name,
        stage,
        recordCount,
        cause,
      }),
    );
    this.inflight.add(settled);
    void settled.then(() => this.inflight.delete(settled));
  }

  /** Waits until no work is in flight, including work started meanwhile; returns its failures. */
  private async settle(): Promise<FirehoseDeliveryFailure[]> {
    const failures: FirehoseDeliveryFailure[] = [];
    while (this.inflight.size > 0) {
      const results = await Promise.all([...this.inflight]);
      for (const result of results) if (result !== undefined) failures.push(result);
    }
    return failures;
  }

  // -------------------------------------------------------------------------------------------
  // Processing (the transformation Lambda)
  // -------------------------------------------------------------------------------------------

  private startProcessing(): void {
    clearTimeout(this.processingTimer);
    this.processingTimer = undefined;
    const lambda = this.config.lambda;
    if (lambda === undefined || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const run = this.processingChain.then(() =>
      this.process(batch, lambda.arn, lambda.numberOfRetries),
    );
    this.processingChain = run.catch(() => undefined);
    this.track(run, 'transformation', batch.length);
  }

  private async process(
    batch: readonly ReceivedRecord[],
    lambdaArn: string,
    numberOfRetries: number,
  ): Promise<FirehoseDeliveryFailure | undefined> {
    const fn = this.environment.transformation(lambdaArn);
    if (fn === undefined) {
      // A setup mistake, not a Firehose behaviour: keep the records and say so on flush.
      this.pending = [...batch, ...this.pending];
      this.pendingBytes = this.pending.reduce((sum, record) => sum + record.data.length, 0);
      const lambda = this.config.lambda;
      if (this.processingTimer === undefined && lambda !== undefined) {
        this.processingTimer = this.timer(lambda.bufferIntervalMs, () => this.startProcessing());
      }
      return {
        deliveryStreamName: this.config.name,
        stage: 'transformation',
        recordCount: batch.length,
        cause: new Error(
          `No transformation is registered for ${lambdaArn}: pass it in startLocalFirehose({ transformations }) or call registerTransformation()`,
        ),
      };
    }
    for (const chunk of invocationChunks(batch)) {
      const outcome = await invokeTransformation(fn, chunk, {
        deliveryStreamArn: this.config.arn,
        region: this.environment.region,
        numberOfRetries,
        now: () => this.environment.now().getTime(),
      });
      for (const record of outcome.transformed) {
        const missing = this.config.dynamicPartitioning
          ? missingPartitionKey(this.config.dataPrefix, record.partitionKeys)
          : undefined;
        if (missing === undefined) {
          this.route(record.data, record.original.arrival, {
            kind: 'data',
            partitionKeys: record.partitionKeys,
          });
        } else {
          this.routeFailure(
            {
              original: record.original,
              errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
              errorMessage: `The partition key ${missing} was not returned in metadata.partitionKeys by the Lambda function.`,
              attemptsMade: 1,
              attemptEndingTimestamp: this.environment.now().getTime(),
            },
            'partitioning-failed',
            undefined,
          );
        }
      }
      for (const failure of outcome.failed)
        this.routeFailure(failure, 'processing-failed', lambdaArn);
    }
    return undefined;
  }

  private routeFailure(
    failure: FailedRecord,
    outputType: ErrorOutputType,
    lambdaArn: string | undefined,
  ) {
    const line = {
      attemptsMade: failure.attemptsMade,
      arrivalTimestamp: failure.original.arrival,
      errorCode: failure.errorCode,
      errorMessage: failure.errorMessage,
      attemptEndingTimestamp: failure.attemptEndingTimestamp,
      rawData: failure.original.data.toString('base64'),
      ...(lambdaArn === undefined ? {} : { lambdaArn }),
    };
    this.route(Buffer.from(`${JSON.stringify(line)}\n`), failure.original.arrival, {
      kind: 'error',
      outputType,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Object buffers and S3 writes
  // -------------------------------------------------------------------------------------------

  private bufferId(target: Target): string {
    if (target.kind === 'error') return `error:${target.outputType}`;
    if (!this.config.dynamicPartitioning) return 'data';
    const values = partitionKeysOf(this.config.dataPrefix).map(({ key }) => [
      key,
      target.partitionKeys?.[key],
    ]);
    return `data:${JSON.stringify(values)}`;
  }

  private route(data: Buffer, arrival: number, target: Target): void {
    const bytes =
      target.kind === 'data' && this.config.appendDelimiter ? Buffer.concat([data, NEWLINE]) : data;
    const id = this.bufferId(target);
    let buffer = this.buffers.get(id);
    if (buffer === undefined) {
      buffer = { id, target, entries: [], bytes: 0, timer: undefined };
      this.buffers.set(id, buffer);
    }
    buffer.entries.push({ bytes, arrival });
    buffer.bytes += bytes.length;
    if (buffer.bytes >= this.config.bufferSizeBytes) {
      this.startWrite(buffer);
    } else {
      this.armTimer(buffer);
    }
  }

  private armTimer(buffer: ObjectBuffer): void {
    if (buffer.timer !== undefined) return;
    buffer.timer = this.timer(this.config.bufferIntervalMs, () => {
      buffer.timer = undefined;
      if (this.buffers.get(buffer.id) === buffer) this.startWrite(buffer);
    });
  }

  private startWrite(buffer: ObjectBuffer): void {
    clearTimeout(buffer.timer);
    buffer.timer = undefined;
    if (this.buffers.get(buffer.id) === buffer) this.buffers.delete(buffer.id);
    if (buffer.entries.length === 0) return;
    this.track(this.write(buffer.target, buffer.entries), 's3-write', buffer.entries.length);
  }

  private objectKey(target: Target, instant: Date): string {
    const config = this.config;
    const prefix =
      target.kind === 'data'
        ? evaluatePrefix(config.dataPrefix, {
            instant,
            timeZone: config.timeZone,
            partitionKeys: target.partitionKeys,
          })
        : evaluatePrefix(config.errorPrefix, {
            instant,
            timeZone: config.timeZone,
            errorOutputType: target.outputType,
          });
    return `${prefix}${objectName({
      deliveryStreamName: config.name,
      version: config.version,
      instant,
      timeZone: config.timeZone,
      extension: config.fileExtension,
    })}`;
  }

  private async write(
    target: Target,
    entries: readonly Entry[],
  ): Promise<FirehoseDeliveryFailure | undefined> {
    let key: string | undefined;
    let cause: unknown;
    try {
      const oldest = entries.reduce(
        (min, entry) => Math.min(min, entry.arrival),
        Number.POSITIVE_INFINITY,
      );
      key = this.objectKey(target, new Date(oldest));
      const raw = Buffer.concat(entries.map((entry) => entry.bytes));
      const body = this.config.gzip ? await gzip(raw) : raw;
      for (let attempt = 1; attempt <= S3_WRITE_ATTEMPTS; attempt += 1) {
        try {
          await this.environment.s3.send(
            new PutObjectCommand({ Bucket: this.config.bucket, Key: key, Body: body }),
          );
          return undefined;
        } catch (error) {
          cause = error;
          if (attempt < S3_WRITE_ATTEMPTS) await sleep(S3_RETRY_BASE_DELAY_MS * 2 ** (attempt - 1));
        }
      }
    } catch (error) {
      cause = error;
    }
    this.requeue(target, entries);
    return {
      deliveryStreamName: this.config.name,
      stage: 's3-write',
      bucket: this.config.bucket,
      ...(key === undefined ? {} : { key }),
      recordCount: entries.length,
      cause,
    };
  }

  /** Puts the entries of a failed write back in front of their buffer; its timer retries them. */
  private requeue(target: Target, entries: readonly Entry[]): void {
    const id = this.bufferId(target);
    const existing = this.buffers.get(id);
    const buffer: ObjectBuffer = existing ?? {
      id,
      target,
      entries: [],
      bytes: 0,
      timer: undefined,
    };
    buffer.entries = [...entries, ...buffer.entries];
    buffer.bytes = buffer.entries.reduce((sum, entry) => sum + entry.bytes.length, 0);
    this.buffers.set(id, buffer);
    this.armTimer(buffer);
  }
}

/**
 * Splits a batch so each invocation event stays under Lambda's 6 MB payload limit (base64 data
 * plus the per-record JSON around it).
 */
const invocationChunks = (batch: readonly ReceivedRecord[]): ReceivedRecord[][] => {
  const RECORD_OVERHEAD = 128;
  const EVENT_OVERHEAD = 512;
  const chunks: ReceivedRecord[][] = [];
  let current: ReceivedRecord[] = [];
  let size = EVENT_OVERHEAD;
  for (const record of batch) {
    const recordSize = Math.ceil(record.data.length / 3) * 4 + RECORD_OVERHEAD;
    if (current.length > 0 && size + recordSize > MAX_LAMBDA_PAYLOAD_BYTES) {
      chunks.push(current);
      current = [];
      size = EVENT_OVERHEAD;
    }
    current.push(record);
    size += recordSize;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};
