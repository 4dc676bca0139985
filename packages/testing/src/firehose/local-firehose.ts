import { FirehoseClient } from '@aws-sdk/client-firehose';
import {
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  localClientConfig,
} from '../internal/local-client-config.js';
import type { S3ClientLike } from './firehose-delivery.js';
import { FirehoseDeliveryError } from './firehose-errors.js';
import { startFirehoseHttpServer } from './firehose-protocol.js';
import { FirehoseService, type RecordRejection } from './firehose-service.js';
import type { TransformationFunction } from './firehose-transformation.js';

/**
 * Options of {@link startLocalFirehose}.
 *
 * @example
 * ```ts
 * const options: LocalFirehoseOptions = {
 *   s3: new S3Client({ ...s3Config, forcePathStyle: true }),
 *   transformations: { 'arn:aws:lambda:us-east-1:000000000000:function:archive': handler },
 *   clock: () => new Date('2024-05-01T13:00:00Z'),
 * };
 * ```
 */
export interface LocalFirehoseOptions {
  /** The S3 client objects are written with (an `S3Client` pointed at S3 or an emulator). */
  readonly s3: S3ClientLike;
  /** Port to listen on; by default the OS picks a free one. */
  readonly port?: number;
  /** Address to listen on (default `127.0.0.1`). */
  readonly host?: string;
  /** Transformation functions by the Lambda ARN a delivery stream's `Lambda` processor names. */
  readonly transformations?: Readonly<Record<string, TransformationFunction>>;
  /**
   * The time records arrive at (their `approximateArrivalTimestamp`, which also names the S3
   * keys) and streams are created at. Defaults to the system clock. Buffer intervals always run
   * on real timers.
   */
  readonly clock?: () => Date;
  /** Refuses records as a throttled Firehose would; see {@link RecordRejection}. */
  readonly rejectRecords?: RecordRejection;
}

/**
 * A running local Amazon Data Firehose. Delivery streams are created through its API (with
 * {@link LocalFirehose.client} or any Firehose SDK client pointed at {@link LocalFirehose.endpoint}).
 * `flush()` and `stop()` reject with {@link FirehoseDeliveryError} rather than drop records.
 *
 * @example
 * ```ts
 * const firehose: LocalFirehose = await startLocalFirehose({ s3 });
 * const producer = new FirehoseClient({ ...config, endpoint: firehose.endpoint });
 * // ... put records ...
 * await firehose.flush('archive');
 * ```
 */
export interface LocalFirehose {
  /** `http://host:port`, for a Firehose client's `endpoint`. */
  readonly endpoint: string;
  /**
   * A new `FirehoseClient` for this server, with dummy credentials and region; `stop()` destroys
   * the clients it handed out.
   */
  client(): FirehoseClient;
  /** Registers (or replaces) the transformation invoked for `lambdaArn`. */
  registerTransformation(lambdaArn: string, fn: TransformationFunction): void;
  /** Sets (or with `undefined` clears) the throttling rule; see {@link RecordRejection}. */
  rejectRecords(rejection: RecordRejection | undefined): void;
  /**
   * Transforms and writes everything buffered now, in every delivery stream or the named one,
   * without waiting for buffer hints. Rejects with {@link FirehoseDeliveryError} when records could
   * not be written (they stay buffered; a later flush retries them), and with an `Error` for an
   * unknown stream name.
   */
  flush(deliveryStreamName?: string): Promise<void>;
  /**
   * Stops accepting connections and calls (later calls on open connections are answered
   * `ServiceUnavailableException`), waits until every call already under way has been answered,
   * then flushes every stream, stops the timers and closes the server: every record answered
   * with a `RecordId` is in S3 when it resolves. Rejects with {@link FirehoseDeliveryError} if
   * records could not be written (the server is closed all the same). Calling it again returns
   * the same promise.
   */
  stop(): Promise<void>;
}

/**
 * Starts a local Amazon Data Firehose: an HTTP server speaking the Firehose JSON 1.1 API
 * (CreateDeliveryStream, DescribeDeliveryStream, ListDeliveryStreams, DeleteDeliveryStream,
 * PutRecord, PutRecordBatch) that buffers records per delivery stream and writes them to S3 the
 * way Firehose does: one object per buffer, records concatenated as-is (optionally gzipped),
 * under `<Prefix>YYYY/MM/dd/HH/<stream>-1-YYYY-MM-dd-HH-mm-ss-<uuid>` or a custom prefix with
 * `!{timestamp:...}` and `!{partitionKeyFromLambda:...}` expressions, with Lambda transformation
 * and the `processing-failed` error output. It enforces the PutRecordBatch limits (500 records,
 * 4 MiB, 1,000 KiB per record).
 *
 * With a `Lambda` processor, records first wait in the processor's own buffer
 * (`BufferSizeInMBs`, default 1 MiB; `BufferIntervalInSeconds`, default 60 s) before they are
 * transformed and buffered for S3, as in Firehose; `flush()` skips both waits.
 *
 * Supports S3 destinations of DirectPut streams; CreateDeliveryStream answers
 * `InvalidArgumentException` naming what it does not emulate (other sources and destinations,
 * ZIP/Snappy, inline jq partitioning, format conversion, backup). Rejects if the port is taken.
 *
 * @example
 * ```ts
 * const firehose = await startLocalFirehose({ s3: new S3Client(s3Config) });
 * await firehose.client().send(new CreateDeliveryStreamCommand({
 *   DeliveryStreamName: 'archive',
 *   ExtendedS3DestinationConfiguration: {
 *     BucketARN: 'arn:aws:s3:::archive',
 *     RoleARN: 'arn:aws:iam::000000000000:role/firehose',
 *   },
 * }));
 * await firehose.client().send(new PutRecordCommand({
 *   DeliveryStreamName: 'archive',
 *   Record: { Data: Buffer.from('{"id":1}\n') },
 * }));
 * await firehose.flush(); // the object is in s3://archive/YYYY/MM/dd/HH/
 * await firehose.stop();
 * ```
 */
export const startLocalFirehose = async (options: LocalFirehoseOptions): Promise<LocalFirehose> => {
  const transformations = new Map(Object.entries(options.transformations ?? {}));
  let rejection = options.rejectRecords;
  const service = new FirehoseService({
    s3: options.s3,
    clock: options.clock ?? (() => new Date()),
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    transformation: (lambdaArn) => transformations.get(lambdaArn),
    rejection: () => rejection,
  });
  const server = await startFirehoseHttpServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    operations: (operation, body) => service.call(operation, body),
  });
  const clients = new Set<FirehoseClient>();
  let stopping: Promise<void> | undefined;

  const flush = async (deliveryStreamName?: string) => {
    const failures = await service.flush(deliveryStreamName);
    if (failures.length > 0) throw new FirehoseDeliveryError(failures);
  };

  const stop = async () => {
    // Every call answered 200 has its records buffered before the final flush reads the buffers;
    // a record accepted after that flush would be dropped by dispose().
    await server.drain();
    try {
      await flush();
    } finally {
      service.dispose();
      for (const client of clients) client.destroy();
      clients.clear();
      await server.close();
    }
  };

  return {
    endpoint: server.endpoint,
    client: () => {
      const client = new FirehoseClient(localClientConfig(server.endpoint));
      clients.add(client);
      return client;
    },
    registerTransformation: (lambdaArn, fn) => {
      transformations.set(lambdaArn, fn);
    },
    rejectRecords: (next) => {
      rejection = next;
    },
    flush,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
};
