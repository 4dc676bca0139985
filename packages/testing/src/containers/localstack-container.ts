import { urlHost } from './container-address.js';
import { requireContainerRuntime } from './container-runtime.js';

/** A LocalStack service name, as in its `SERVICES` setting. */
export type LocalStackService = 'kinesis' | 'dynamodb' | 's3' | 'firehose' | (string & {});

/** Options of {@link startLocalStackContainer}. */
export interface LocalStackContainerOptions {
  /** The image to run (default `localstack/localstack`). */
  readonly image?: string;
  /**
   * LocalStack auth token (default: env `LOCALSTACK_AUTH_TOKEN`). Recent LocalStack images do
   * not start without one.
   */
  readonly authToken?: string;
  /** The region clients should use (default `us-east-1`); LocalStack serves every region. */
  readonly region?: string;
  /** How long to wait for LocalStack, image pull included (default 180 s). */
  readonly startupTimeoutMs?: number;
}

/** A LocalStack started by {@link startLocalStackContainer}. */
export interface StartedLocalStackContainer {
  /** The edge endpoint for every AWS SDK v3 client, `http://<host>:<port>`. */
  readonly endpoint: string;
  readonly region: string;
  readonly services: readonly LocalStackService[];
  /** Stops and removes the container. Safe to call more than once. */
  stop(): Promise<void>;
}

/** LocalStack serves every service on this one port ("edge port"). */
const EDGE_PORT = 4566;
const DEFAULT_IMAGE = 'localstack/localstack';
const DEFAULT_STARTUP_TIMEOUT_MS = 180_000;

/**
 * Starts LocalStack in a container with only `services` enabled, for the parts no npm emulator
 * covers (Firehose, or AWS fidelity checks). Resolves once LocalStack reports ready.
 *
 * Rejects with {@link ContainerRuntimeUnavailableError} when no container runtime answers or
 * `testcontainers` is not installed; with a `TypeError` when `services` is empty; with
 * testcontainers' error when the image cannot be pulled or LocalStack does not start in time
 * (a missing auth token shows up as this case in LocalStack's log).
 *
 * @example
 * ```ts
 * const localstack = await startLocalStackContainer(['firehose', 's3']);
 * const firehose = new FirehoseClient({
 *   endpoint: localstack.endpoint,
 *   region: localstack.region,
 *   credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
 * });
 * // …
 * await localstack.stop();
 * ```
 */
export const startLocalStackContainer = async (
  services: readonly LocalStackService[],
  options: LocalStackContainerOptions = {},
): Promise<StartedLocalStackContainer> => {
  if (services.length === 0) {
    throw new TypeError('startLocalStackContainer: name at least one service, e.g. ["kinesis"]');
  }
  const { GenericContainer, Wait } = await requireContainerRuntime();
  const region = options.region ?? 'us-east-1';
  const authToken = options.authToken ?? process.env.LOCALSTACK_AUTH_TOKEN;
  const container = await new GenericContainer(options.image ?? DEFAULT_IMAGE)
    .withEnvironment({
      SERVICES: services.join(','),
      AWS_DEFAULT_REGION: region,
      ...(authToken === undefined ? {} : { LOCALSTACK_AUTH_TOKEN: authToken }),
    })
    .withExposedPorts(EDGE_PORT)
    .withWaitStrategy(
      Wait.forAll([
        Wait.forLogMessage('Ready.'),
        Wait.forHttp('/_localstack/health', EDGE_PORT).forStatusCode(200),
      ]),
    )
    .withStartupTimeout(options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS)
    .start();
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${urlHost(container.getHost())}:${container.getMappedPort(EDGE_PORT)}`,
    region,
    services: [...services],
    stop: () => {
      stopped ??= container.stop().then(() => undefined);
      return stopped;
    },
  };
};
