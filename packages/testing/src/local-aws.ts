import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { describeContainersBackend, startLocalStackContainer } from './containers/index.js';
import { guardDynalite, startDynalite } from './dynamodb/dynalite.js';
import { startDynamoDbLocal } from './dynamodb/dynamodb-local.js';
import {
  type LocalFirehose,
  startLocalFirehose,
  type TransformationFunction,
} from './firehose/index.js';
import { localClientConfig } from './internal/local-client-config.js';
import type { LocalEmulator } from './internal/local-emulator.js';
import { startKinesalite } from './kinesis/kinesalite.js';
import { startKinesisMock } from './kinesis/kinesis-mock.js';
import { localS3ClientConfig, startS3rver } from './s3/s3rver.js';

/** Which Kinesis emulator to start. */
export type KinesisEmulator = 'kinesalite' | 'kinesis-mock';
/** Which DynamoDB emulator to start. */
export type DynamoDbEmulator = 'dynamodb-local' | 'dynalite';

/**
 * Options of {@link startLocalAws}; every service is on by default.
 *
 * @example
 * ```ts
 * const options: LocalAwsOptions = {
 *   kinesis: 'kinesalite',
 *   dynamodb: 'dynalite', // fast, guarded: unsupported operations reject
 *   s3: { buckets: ['archive'] },
 *   firehose: { transformations: { [lambdaArn]: toNdjson } },
 * };
 * const aws = await startLocalAws(options);
 * ```
 */
export interface LocalAwsOptions {
  /**
   * `kinesalite` (default: in-process, fast, exact ordering), `kinesis-mock` (child process,
   * slow; enhanced fan-out, UpdateShardCount, ChildShards), or `false`.
   */
  readonly kinesis?: KinesisEmulator | false;
  /**
   * `dynamodb-local` (default: the official emulator, Java 17+, transactions and condition-check
   * return values), `dynalite` (in-process, partial: a client that uses what it lacks fails with
   * `EmulatorUnsupportedError`), or `false`.
   */
  readonly dynamodb?: DynamoDbEmulator | false;
  /** s3rver in-process (default on), with buckets to create. */
  readonly s3?: boolean | { readonly buckets?: readonly string[] };
  /** The local Firehose (needs S3; default on), with transformation functions by Lambda ARN. */
  readonly firehose?:
    | boolean
    | { readonly transformations?: Readonly<Record<string, TransformationFunction>> };
  /**
   * `local` starts the emulators above; `containers` starts LocalStack through testcontainers
   * where a Docker daemon answers, and otherwise says so once and falls back to `local`.
   * Default: `TRIBUTARY_TEST_BACKEND`, else `local`.
   */
  readonly backend?: 'local' | 'containers';
  /** Where to report backend choices (default `console.warn`). */
  readonly log?: (line: string) => void;
}

/**
 * Where each started service listens, and which emulator runs it: plain data, safe to pass
 * between processes (a Vitest global setup provides it to test files).
 *
 * @example
 * ```ts
 * const endpoints: LocalAwsEndpoints = aws.endpoints;
 * // { kinesis: { endpoint: 'http://127.0.0.1:40123', emulator: 'kinesalite' }, ... }
 * const clients = connectLocalAws(endpoints);
 * ```
 */
export interface LocalAwsEndpoints {
  readonly kinesis?: { readonly endpoint: string; readonly emulator: string };
  readonly dynamodb?: { readonly endpoint: string; readonly emulator: string };
  readonly s3?: { readonly endpoint: string; readonly emulator: string };
  readonly firehose?: { readonly endpoint: string; readonly emulator: string };
}

/** AWS SDK v3 clients configured for a set of local endpoints. */
export interface LocalAwsClients {
  readonly endpoints: LocalAwsEndpoints;
  /** Throws when Kinesis was not started. */
  readonly kinesis: KinesisClient;
  /** Throws when DynamoDB was not started. Guarded against dynalite's gaps when it runs dynalite. */
  readonly dynamodb: DynamoDBClient;
  /** Throws when S3 was not started. */
  readonly s3: S3Client;
  /** Throws when Firehose was not started. */
  readonly firehose: FirehoseClient;
  /** Closes the clients' connections. */
  destroy(): void;
}

/**
 * A running set of local AWS services with clients for them.
 *
 * @example
 * ```ts
 * const aws: LocalAws = await startLocalAws({ s3: { buckets: ['archive'] } });
 * await aws.firehose.send(new CreateDeliveryStreamCommand(input));
 * await aws.localFirehose?.flush(); // deliver buffered records to aws.s3 now
 * await aws.stop();
 * ```
 */
export interface LocalAws extends LocalAwsClients {
  /** The local Firehose server itself (flush buffers, register transformations), when started. */
  readonly localFirehose: LocalFirehose | undefined;
  /** Ends every emulator and process it started, even when some fail to stop; safe to call twice. */
  stop(): Promise<void>;
}

const missing = (service: string): never => {
  throw new Error(
    `${service} was not started: pass ${service.toLowerCase()} to startLocalAws (or to the global setup)`,
  );
};

/**
 * Creates clients for endpoints started elsewhere (by a Vitest global setup, another process).
 * Each client is created on first use.
 *
 * @example
 * ```ts
 * const aws = connectLocalAws(inject('tributaryLocalAws'));
 * await aws.kinesis.send(new ListStreamsCommand({}));
 * ```
 */
export const connectLocalAws = (endpoints: LocalAwsEndpoints): LocalAwsClients => {
  const created: Array<{ destroy(): void }> = [];
  const lazy = <C extends { destroy(): void }>(make: () => C) => {
    let client: C | undefined;
    return () => {
      if (client === undefined) {
        client = make();
        created.push(client);
      }
      return client;
    };
  };
  const kinesis = lazy(() =>
    endpoints.kinesis === undefined
      ? missing('Kinesis')
      : new KinesisClient(localClientConfig(endpoints.kinesis.endpoint)),
  );
  const dynamodb = lazy(() => {
    if (endpoints.dynamodb === undefined) return missing('DynamoDB');
    const client = new DynamoDBClient(localClientConfig(endpoints.dynamodb.endpoint));
    return endpoints.dynamodb.emulator === 'dynalite' ? guardDynalite(client) : client;
  });
  const s3 = lazy(() =>
    endpoints.s3 === undefined
      ? missing('S3')
      : new S3Client(localS3ClientConfig(endpoints.s3.endpoint)),
  );
  const firehose = lazy(() =>
    endpoints.firehose === undefined
      ? missing('Firehose')
      : new FirehoseClient(localClientConfig(endpoints.firehose.endpoint)),
  );
  return {
    endpoints,
    get kinesis() {
      return kinesis();
    },
    get dynamodb() {
      return dynamodb();
    },
    get s3() {
      return s3();
    },
    get firehose() {
      return firehose();
    },
    destroy: () => {
      for (const client of created.splice(0)) client.destroy();
    },
  };
};

const stopAll = async (emulators: readonly { stop(): Promise<void> }[]) => {
  const results = await Promise.allSettled(
    [...emulators].reverse().map((emulator) => emulator.stop()),
  );
  const failures = results.filter(
    (result): result is PromiseRejectedResult => result.status === 'rejected',
  );
  if (failures.length > 0) {
    throw new AggregateError(
      failures.map((failure) => failure.reason),
      `stopping local AWS: ${failures.length} emulator(s) failed to stop`,
    );
  }
};

const startContainers = async (
  options: LocalAwsOptions,
  log: (line: string) => void,
): Promise<{ endpoints: LocalAwsEndpoints; stop(): Promise<void> } | undefined> => {
  const containers = await describeContainersBackend();
  if (!containers.available) {
    log(
      `tributary: TRIBUTARY_TEST_BACKEND=containers skipped: ${containers.reason}; using local emulators`,
    );
    return undefined;
  }
  const firehose = options.firehose ?? true;
  const s3 = options.s3 ?? true;
  const services = [
    ...(options.kinesis === false ? [] : ['kinesis']),
    ...(options.dynamodb === false ? [] : ['dynamodb']),
    // Firehose delivers to S3, as the local path starts s3rver for it.
    ...(s3 === false && firehose === false ? [] : ['s3']),
    ...(firehose === false ? [] : ['firehose']),
  ];
  const localstack = await startLocalStackContainer(services);
  const buckets = typeof s3 === 'object' ? (s3.buckets ?? []) : [];
  if (buckets.length > 0) {
    const client = new S3Client(localS3ClientConfig(localstack.endpoint));
    try {
      for (const Bucket of buckets) await client.send(new CreateBucketCommand({ Bucket }));
    } catch (error) {
      await localstack.stop().catch(() => {});
      throw error;
    } finally {
      client.destroy();
    }
  }
  if (typeof firehose === 'object' && Object.keys(firehose.transformations ?? {}).length > 0) {
    log(
      'tributary: Firehose transformations run only on the local Firehose; LocalStack invokes real Lambda functions and ignores them',
    );
  }
  const service = (enabled: boolean) =>
    enabled ? { endpoint: localstack.endpoint, emulator: 'localstack' } : undefined;
  const endpoints: LocalAwsEndpoints = Object.fromEntries(
    Object.entries({
      kinesis: service(options.kinesis !== false),
      dynamodb: service(options.dynamodb !== false),
      s3: service(services.includes('s3')),
      firehose: service(firehose !== false),
    }).filter(([, value]) => value !== undefined),
  );
  return { endpoints, stop: () => localstack.stop() };
};

/**
 * Starts local AWS services and returns endpoints, ready AWS SDK v3 clients and a `stop()` that
 * ends every emulator and child process (child processes also die with the test process if it is
 * killed). Startup, measured: kinesalite, dynalite and the Firehose server ~10-50 ms each, s3rver
 * ~0.4 s, kinesis-mock ~2 s, DynamoDB Local ~2.5-4 s (the two child processes start side by side).
 * A service that fails to start stops the ones already started and rejects with its output.
 *
 * @example
 * ```ts
 * const aws = await startLocalAws({ kinesis: 'kinesalite', dynamodb: 'dynamodb-local', s3: { buckets: ['archive'] } });
 * try {
 *   await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'events', ShardCount: 1 }));
 * } finally {
 *   await aws.stop();
 * }
 * ```
 */
export const startLocalAws = async (options: LocalAwsOptions = {}): Promise<LocalAws> => {
  const log = options.log ?? ((line: string) => console.warn(line));
  const backend =
    options.backend ??
    (process.env.TRIBUTARY_TEST_BACKEND === 'containers' ? 'containers' : 'local');
  if (backend === 'containers') {
    const containers = await startContainers(options, log);
    if (containers !== undefined) {
      const clients = connectLocalAws(containers.endpoints);
      let stopping: Promise<void> | undefined;
      return Object.assign(clients, {
        localFirehose: undefined,
        stop: () => {
          stopping ??= (async () => {
            clients.destroy();
            await containers.stop();
          })();
          return stopping;
        },
      });
    }
  }

  const started: LocalEmulator[] = [];
  const endpoints: {
    kinesis?: { endpoint: string; emulator: string };
    dynamodb?: { endpoint: string; emulator: string };
    s3?: { endpoint: string; emulator: string };
    firehose?: { endpoint: string; emulator: string };
  } = {};
  const track = (emulator: LocalEmulator) => {
    started.push(emulator);
    return { endpoint: emulator.endpoint, emulator: emulator.name };
  };
  let localFirehose: LocalFirehose | undefined;
  try {
    const kinesisChoice = options.kinesis ?? 'kinesalite';
    const dynamoChoice = options.dynamodb ?? 'dynamodb-local';
    // The slow ones start side by side; when one fails, the other is still awaited and tracked,
    // so that it is stopped too.
    const [kinesis, dynamodb] = await Promise.allSettled([
      kinesisChoice === false
        ? undefined
        : (kinesisChoice === 'kinesis-mock' ? startKinesisMock() : startKinesalite()).then(track),
      dynamoChoice === false
        ? undefined
        : (dynamoChoice === 'dynalite' ? startDynalite() : startDynamoDbLocal()).then(track),
    ]);
    if (kinesis.status === 'rejected') throw kinesis.reason;
    if (dynamodb.status === 'rejected') throw dynamodb.reason;
    if (kinesis.value !== undefined) endpoints.kinesis = kinesis.value;
    if (dynamodb.value !== undefined) endpoints.dynamodb = dynamodb.value;
    const firehoseOptions = options.firehose ?? true;
    const s3Options = options.s3 ?? true;
    if (s3Options !== false || firehoseOptions !== false) {
      const buckets = typeof s3Options === 'object' ? (s3Options.buckets ?? []) : [];
      endpoints.s3 = track(await startS3rver({ buckets }));
    }
    if (firehoseOptions !== false && endpoints.s3 !== undefined) {
      const s3 = new S3Client(localS3ClientConfig(endpoints.s3.endpoint));
      const transformations =
        typeof firehoseOptions === 'object' ? (firehoseOptions.transformations ?? {}) : {};
      localFirehose = await startLocalFirehose({ s3, transformations });
      const firehose = localFirehose;
      started.push({
        name: 'local-firehose',
        endpoint: firehose.endpoint,
        stop: async () => {
          try {
            await firehose.stop();
          } finally {
            s3.destroy();
          }
        },
      });
      endpoints.firehose = { endpoint: firehose.endpoint, emulator: 'local-firehose' };
    }
  } catch (error) {
    await stopAll(started).catch(() => {});
    throw error;
  }
  const clients = connectLocalAws(endpoints);
  let stopped: Promise<void> | undefined;
  return Object.assign(clients, {
    localFirehose,
    stop: () => {
      stopped ??= (async () => {
        clients.destroy();
        await stopAll(started);
      })();
      return stopped;
    },
  });
};
