import {
  type ServerContainerOptions,
  type StartedServerContainer,
  startServerContainer,
} from './server-container.js';

/** Options of {@link startMariaDbContainer}. */
export interface MariaDbContainerOptions extends ServerContainerOptions {
  /** The image to run (default `mariadb:11`). */
  readonly image?: string;
}

/** A MariaDB server running in a container, started by {@link startMariaDbContainer}. */
export interface StartedMariaDbContainer extends StartedServerContainer {
  /** `mysql://root@<host>:<port>/<database>`; root has an empty password. */
  readonly url: string;
  /** The host port mapped to the container's 3306. */
  readonly port: number;
}

/**
 * Starts a MariaDB server (the MySQL dialect's stand-in, as on the project's machines) in a
 * container through testcontainers, root with an empty password, data on a tmpfs. Resolves once
 * the image's own health check reports InnoDB ready and the server accepting connections.
 *
 * Rejects with {@link ContainerRuntimeUnavailableError} when no container runtime answers or
 * `testcontainers` is not installed; with testcontainers' error when the image cannot be pulled
 * or the server does not start within `startupTimeoutMs`.
 *
 * @example
 * ```ts
 * const mariadb = await startMariaDbContainer();
 * const sql = await startLocalSql({ dialect: 'mysql', url: mariadb.url });
 * // …
 * await sql.stop();
 * await mariadb.stop();
 * ```
 */
export const startMariaDbContainer = (
  options: MariaDbContainerOptions = {},
): Promise<StartedMariaDbContainer> =>
  startServerContainer(
    {
      defaultImage: 'mariadb:11',
      port: 3306,
      dataDirectory: '/var/lib/mysql',
      urlPrefix: 'mysql://root@',
      environment: (database) => ({
        MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: '1',
        MARIADB_DATABASE: database,
      }),
      // The entrypoint starts a temporary server without networking first; the image's health
      // check only passes once the real one accepts connections.
      healthCheck: {
        test: ['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized'],
        interval: 1_000,
        timeout: 5_000,
        retries: 120,
        startPeriod: 1_000,
      },
      waitStrategy: (wait) => wait.forHealthCheck(),
    },
    options,
  );
