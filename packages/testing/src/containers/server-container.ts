import type { GenericContainer, WaitStrategy } from 'testcontainers';
import { urlHost } from './container-address.js';
import { requireContainerRuntime, type TestcontainersModule } from './container-runtime.js';

/** The options every database server container takes. */
export interface ServerContainerOptions {
  /** The image to run. */
  readonly image?: string;
  /** The database the image creates at start (default `test`). */
  readonly database?: string;
  /** How long to wait for the server, image pull included (default 120 s). */
  readonly startupTimeoutMs?: number;
}

/** A database server running in a container. */
export interface StartedServerContainer {
  /** `<scheme>://<user>@<host>:<port>/<database>`, without a password. */
  readonly url: string;
  readonly host: string;
  /** The host port mapped to the server's port in the container. */
  readonly port: number;
  /** Stops and removes the container. Safe to call more than once. */
  stop(): Promise<void>;
}

type HealthCheck = Parameters<GenericContainer['withHealthCheck']>[0];

/** What differs between the database server images. */
export interface ServerImage {
  readonly defaultImage: string;
  /** The server's port in the container. */
  readonly port: number;
  /** The server's data directory, put on a tmpfs. */
  readonly dataDirectory: string;
  /** The start of the URL, up to the host: `postgres://postgres@`. */
  readonly urlPrefix: string;
  /** The image's environment that creates `database` and lets the URL's user in without a password. */
  environment(database: string): Record<string, string>;
  readonly healthCheck?: HealthCheck;
  /** When the server accepts connections. */
  waitStrategy(wait: TestcontainersModule['Wait']): WaitStrategy;
}

const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;

/**
 * Starts `server`'s image through testcontainers with its data on a tmpfs, and resolves once its
 * wait strategy passes. Rejects with {@link ContainerRuntimeUnavailableError} when no container
 * runtime answers or `testcontainers` is not installed, with testcontainers' error otherwise.
 */
export const startServerContainer = async (
  server: ServerImage,
  options: ServerContainerOptions,
): Promise<StartedServerContainer> => {
  const { GenericContainer, Wait } = await requireContainerRuntime();
  const database = options.database ?? 'test';
  let image = new GenericContainer(options.image ?? server.defaultImage)
    .withEnvironment(server.environment(database))
    .withExposedPorts(server.port)
    .withTmpFs({ [server.dataDirectory]: 'rw' });
  if (server.healthCheck !== undefined) image = image.withHealthCheck(server.healthCheck);
  const container = await image
    .withWaitStrategy(server.waitStrategy(Wait))
    .withStartupTimeout(options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS)
    .start();
  const host = container.getHost();
  const port = container.getMappedPort(server.port);
  let stopped: Promise<void> | undefined;
  return {
    url: `${server.urlPrefix}${urlHost(host)}:${port}/${database}`,
    host,
    port,
    stop: () => {
      stopped ??= container.stop().then(() => undefined);
      return stopped;
    },
  };
};
