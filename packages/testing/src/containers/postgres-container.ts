import {
  type ServerContainerOptions,
  type StartedServerContainer,
  startServerContainer,
} from './server-container.js';

/** Options of {@link startPostgresContainer}. */
export interface PostgresContainerOptions extends ServerContainerOptions {
  /** The image to run (default `postgres:16`). */
  readonly image?: string;
}

/** A PostgreSQL server running in a container, started by {@link startPostgresContainer}. */
export interface StartedPostgresContainer extends StartedServerContainer {
  /** `postgres://postgres@<host>:<port>/<database>`; trust authentication, no password. */
  readonly url: string;
  /** The host port mapped to the container's 5432. */
  readonly port: number;
}

/**
 * Starts a PostgreSQL server in a container through testcontainers, with trust authentication
 * and its data directory on a tmpfs. Resolves once the server accepts connections.
 *
 * Rejects with {@link ContainerRuntimeUnavailableError} when no container runtime answers or
 * `testcontainers` is not installed; with testcontainers' error when the image cannot be pulled
 * or the server does not start within `startupTimeoutMs`.
 *
 * @example
 * ```ts
 * const postgres = await startPostgresContainer();
 * const pool = new pg.Pool({ connectionString: postgres.url });
 * // …
 * await pool.end();
 * await postgres.stop();
 * ```
 */
export const startPostgresContainer = (
  options: PostgresContainerOptions = {},
): Promise<StartedPostgresContainer> =>
  startServerContainer(
    {
      defaultImage: 'postgres:16',
      port: 5432,
      dataDirectory: '/var/lib/postgresql/data',
      urlPrefix: 'postgres://postgres@',
      environment: (database) => ({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: database }),
      // The image's init script runs a temporary server first, which logs the same line once.
      waitStrategy: (wait) =>
        wait.forAll([
          wait.forLogMessage(/database system is ready to accept connections/, 2),
          wait.forListeningPorts(),
        ]),
    },
    options,
  );
