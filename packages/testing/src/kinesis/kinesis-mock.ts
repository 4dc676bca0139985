import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { spawnManaged } from '../internal/child-processes.js';
import { freePort } from '../internal/free-port.js';
import { localClientConfig } from '../internal/local-client-config.js';
import type { LocalEmulator } from '../internal/local-emulator.js';
import { waitForEmulator } from '../internal/wait-for-emulator.js';

/** Options of {@link startKinesisMock}. */
export interface KinesisMockOptions {
  /** Plain-HTTP port (default: a free one). */
  readonly port?: number;
  /** How long stream state changes (create, split, merge, UpdateShardCount) take (default 100 ms). */
  readonly stateChangeMs?: number;
  /** Shards allowed per account (default 500). */
  readonly shardLimit?: number;
  /** How long to wait for the emulator to answer (default 60 s). */
  readonly startTimeoutMs?: number;
}

const DURATION_VARIABLES = [
  'CREATE_STREAM_DURATION',
  'DELETE_STREAM_DURATION',
  'REGISTER_STREAM_CONSUMER_DURATION',
  'DEREGISTER_STREAM_CONSUMER_DURATION',
  'START_STREAM_ENCRYPTION_DURATION',
  'STOP_STREAM_ENCRYPTION_DURATION',
  'MERGE_SHARDS_DURATION',
  'SPLIT_SHARD_DURATION',
  'UPDATE_SHARD_COUNT_DURATION',
  'UPDATE_STREAM_MODE_DURATION',
] as const;

/**
 * Starts kinesis-mock (npm `kinesis-local`) as a child process: slower than kinesalite (hundreds
 * of records per second) but with enhanced fan-out, UpdateShardCount and ChildShards, for tests
 * of resharding and consumer lineage. It is stopped with SIGTERM and then SIGKILL (it may ignore
 * SIGTERM after heavy use), and it dies with the test process however that ends.
 *
 * @example
 * ```ts
 * const kinesis = await startKinesisMock();
 * const client = new KinesisClient(localClientConfig(kinesis.endpoint));
 * await client.send(new UpdateShardCountCommand({ StreamName: 's', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
 * await kinesis.stop();
 * ```
 */
export const startKinesisMock = async (
  options: KinesisMockOptions = {},
): Promise<LocalEmulator> => {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('kinesis-local/package.json'));
  const port = options.port ?? (await freePort());
  const tlsPort = await freePort();
  const duration = `${options.stateChangeMs ?? 100}ms`;
  const child = spawnManaged(process.execPath, [join(packageDir, 'main.js')], {
    name: 'kinesis-mock',
    cwd: packageDir,
    graceMs: 2_000,
    env: {
      KINESIS_MOCK_CERT_PATH: join(packageDir, 'server.json'),
      KINESIS_MOCK_PLAIN_PORT: String(port),
      KINESIS_MOCK_TLS_PORT: String(tlsPort),
      SHARD_LIMIT: String(options.shardLimit ?? 500),
      ON_DEMAND_STREAM_COUNT_LIMIT: '50',
      LOG_LEVEL: 'WARN',
      ...Object.fromEntries(DURATION_VARIABLES.map((name) => [name, duration])),
    },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new KinesisClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  try {
    await waitForEmulator(child, () => client.send(new ListStreamsCommand({})), {
      timeoutMs: options.startTimeoutMs ?? 60_000,
      what: `kinesis-mock on ${endpoint}`,
    });
  } finally {
    client.destroy();
  }
  return { name: 'kinesis-mock', endpoint, stop: () => child.stop() };
};
