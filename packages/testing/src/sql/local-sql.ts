import type { Kysely } from 'kysely';
import {
  type ContainerRuntimeProbe,
  containersBackendRequested,
  probeContainerRuntime,
} from '../containers/container-runtime.js';
import { startMariaDbContainer } from '../containers/mariadb-container.js';
import { startPostgresContainer } from '../containers/postgres-container.js';
import { checkDatabasePrefix, DEFAULT_DATABASE_PREFIX } from './database-name.js';
import { LocalSqlError } from './local-sql-error.js';
import { openMysqlDatabase } from './mysql-server.js';
import { openPgliteDatabase } from './pglite-database.js';
import { openPostgresDatabase } from './postgres-server.js';
import type { OpenDatabaseOptions, ServerDatabase } from './server-database.js';
import { redactUrl, resolveServerUrl, SQL_URL_ENV, type SqlDialectName } from './sql-server-url.js';

/** Where the database of a {@link LocalSql} lives. */
export type LocalSqlBackend = 'server' | 'pglite' | 'container';

/**
 * Options of {@link startLocalSql}.
 *
 * @example
 * ```ts
 * const options: StartLocalSqlOptions = {
 *   dialect: 'postgres',
 *   url: 'postgres://ci:secret@db:5432/postgres', // default: DATABASE_URL, else the local server
 *   name: 'orders_test', // databases are orders_test_<time>_<random>
 *   ci: true, // no PGlite fallback
 * };
 * ```
 */
export interface StartLocalSqlOptions {
  readonly dialect: SqlDialectName;
  /**
   * The server to create the database on. Default: env `DATABASE_URL` (postgres) or `MYSQL_URL`
   * (mysql), else `postgres://postgres@127.0.0.1:5432/postgres` or `mysql://root@127.0.0.1:3306`.
   * The role needs the right to create and drop databases; the URL's database need not exist.
   * Not used with the containers backend.
   */
  readonly url?: string;
  /** Prefix of the database name (default `tributary_test`): letters, digits, `_`. */
  readonly name?: string;
  /**
   * Where notices go (default `console.warn`): the one-line PGlite fallback notice, and errors of
   * idle pooled connections that would otherwise crash the process.
   */
  readonly log?: (line: string) => void;
  /**
   * Whether this is a CI run (default: env `CI` is `true`). In CI a PostgreSQL server that does
   * not answer is an error; elsewhere it is a reason to fall back to embedded PGlite.
   */
  readonly ci?: boolean;
  /**
   * `server` uses the server at `url`; `containers` starts a server in a container (PostgreSQL 16
   * or MariaDB 11) for this database where a container runtime answers, and otherwise says so
   * once through `log` and uses the server. Default: `containers` when env
   * `TRIBUTARY_TEST_BACKEND=containers`, else `server`.
   */
  readonly backend?: 'server' | 'containers';
}

/**
 * A fresh database from {@link startLocalSql}.
 *
 * @example
 * ```ts
 * const local: LocalSql<Database> = await startLocalSql<Database>({ dialect: 'mysql' });
 * console.log(local.backend, local.database); // 'server' 'tributary_test_…'
 * await local.stop();
 * ```
 */
export interface LocalSql<DB = unknown> {
  /** A Kysely connected to the fresh database. Do not destroy it yourself: `stop()` does. */
  readonly db: Kysely<DB>;
  readonly dialect: SqlDialectName;
  readonly backend: LocalSqlBackend;
  /** The fresh database's connection URL, password included; absent for PGlite. */
  readonly url?: string;
  /** The fresh database's name (PGlite's only database, `postgres`, for PGlite). */
  readonly database: string;
  /**
   * Destroys `db`, drops the database (ending connections still open to it) and stops the
   * container, if any. Safe to call more than once. Rejects with a {@link LocalSqlError} of kind
   * `drop-database-failed` when the server refuses the drop.
   */
  stop(): Promise<void>;
}

const warn = (line: string) => console.warn(line);

// One probe per process: without a runtime the answer will not change during a test run.
let runtimeProbe: Promise<ContainerRuntimeProbe> | undefined;
// The log functions already told that the containers backend is skipped (console.warn: once).
const toldSkipped = new WeakSet<(line: string) => void>();

/** Whether a container runtime answers; if not, says so once per `log` function. */
const containersAvailable = async (log: (line: string) => void): Promise<boolean> => {
  runtimeProbe ??= probeContainerRuntime();
  const probe = await runtimeProbe;
  if (probe.available) return true;
  if (!toldSkipped.has(log)) {
    toldSkipped.add(log);
    log(`tributary: TRIBUTARY_TEST_BACKEND=containers skipped: ${probe.reason}; using the server`);
  }
  return false;
};

const onlyOnce = (stop: () => Promise<void>): (() => Promise<void>) => {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= stop();
    return stopping;
  };
};

const fromServer = <DB>(
  dialect: SqlDialectName,
  backend: LocalSqlBackend,
  opened: ServerDatabase<DB>,
  afterStop?: () => Promise<void>,
): LocalSql<DB> => ({
  db: opened.db,
  dialect,
  backend,
  url: opened.url,
  database: opened.database,
  stop: onlyOnce(async () => {
    try {
      await opened.stop();
    } finally {
      await afterStop?.();
    }
  }),
});

const openOnServer = <DB>(
  dialect: SqlDialectName,
  options: OpenDatabaseOptions,
): Promise<ServerDatabase<DB>> =>
  dialect === 'postgres' ? openPostgresDatabase<DB>(options) : openMysqlDatabase<DB>(options);

const startInContainer = async <DB>(
  dialect: SqlDialectName,
  prefix: string,
  log: (line: string) => void,
): Promise<LocalSql<DB>> => {
  const container =
    dialect === 'postgres' ? await startPostgresContainer() : await startMariaDbContainer();
  try {
    const opened = await openOnServer<DB>(dialect, {
      serverUrl: container.url,
      prefix,
      log,
      unreachableHint: 'The container started but its server does not answer.',
    });
    return fromServer(dialect, 'container', opened, container.stop);
  } catch (error) {
    await container.stop().catch(() => {});
    throw error;
  }
};

/**
 * Gives a test its own fresh, empty SQL database and a Kysely connected to it.
 *
 * Each call creates a new database with a unique name (`<name>_<time>_<random>`, safe for
 * parallel workers) on the server at `options.url`, `DATABASE_URL` / `MYSQL_URL` or the local
 * default, and `stop()` drops it again. With `TRIBUTARY_TEST_BACKEND=containers` (or
 * `backend: 'containers'`) the server runs in a container started for this call instead, where
 * a container runtime answers.
 *
 * Failure behaviour:
 * - PostgreSQL server does not answer within 2 s, outside CI: falls back to an in-memory
 *   PGlite (`backend: 'pglite'`) and says so in one line through `options.log`.
 * - PostgreSQL server does not answer in CI (`CI=true` or `ci: true`), or a MySQL server does
 *   not answer (there is no MySQL fallback): rejects with a {@link LocalSqlError} of kind
 *   `server-unreachable` whose message names the URL (password masked) and the variable to set.
 * - A server that answers but refuses (authentication, no CREATEDB right): rejects with a
 *   {@link LocalSqlError} of kind `connection-refused` or `create-database-failed`; no fallback.
 * - Containers requested without a container runtime (or without `testcontainers`): logs
 *   `TRIBUTARY_TEST_BACKEND=containers skipped: <reason>; using the server` once through
 *   `options.log` and uses the server as above, so a run without Docker never fails for it.
 * - An invalid `url` or `name`: throws a `TypeError` (a programmer error).
 *
 * @example
 * ```ts
 * interface Database {
 *   events: { stream_id: string; version: number; payload: string };
 * }
 *
 * const local = await startLocalSql<Database>({ dialect: 'postgres' });
 * try {
 *   await local.db.schema
 *     .createTable('events')
 *     .addColumn('stream_id', 'text')
 *     .addColumn('version', 'integer')
 *     .addColumn('payload', 'text')
 *     .execute();
 *   await local.db.insertInto('events').values({ stream_id: 's', version: 1, payload: '{}' }).execute();
 * } finally {
 *   await local.stop();
 * }
 * ```
 */
export const startLocalSql = async <DB = unknown>(
  options: StartLocalSqlOptions,
): Promise<LocalSql<DB>> => {
  const { dialect } = options;
  const log = options.log ?? warn;
  const prefix = checkDatabasePrefix(options.name ?? DEFAULT_DATABASE_PREFIX);
  const backend = options.backend ?? (containersBackendRequested() ? 'containers' : 'server');
  if (backend === 'containers' && (await containersAvailable(log))) {
    return startInContainer<DB>(dialect, prefix, log);
  }

  const serverUrl = resolveServerUrl(dialect, options.url).url;
  const envVar = SQL_URL_ENV[dialect];
  if (dialect === 'mysql') {
    const opened = await openMysqlDatabase<DB>({
      serverUrl,
      prefix,
      log,
      unreachableHint: `Start MySQL/MariaDB there or set ${envVar} to a server that answers (MySQL has no embedded fallback).`,
    });
    return fromServer(dialect, 'server', opened);
  }

  const ci = options.ci ?? process.env.CI === 'true';
  try {
    const opened = await openPostgresDatabase<DB>({
      serverUrl,
      prefix,
      log,
      unreachableHint: ci
        ? `Start PostgreSQL there or set ${envVar} to a server that answers; with CI=true there is no PGlite fallback.`
        : `Start PostgreSQL there or set ${envVar}.`,
    });
    return fromServer(dialect, 'server', opened);
  } catch (error) {
    if (ci || !(error instanceof LocalSqlError) || error.kind !== 'server-unreachable') throw error;
    log(
      `tributary: no PostgreSQL server answered at ${redactUrl(serverUrl)}; using embedded PGlite ` +
        `instead (set ${envVar} to use a server, CI=true to make this an error)`,
    );
    const pglite = await openPgliteDatabase<DB>();
    return {
      db: pglite.db,
      dialect,
      backend: 'pglite',
      database: pglite.database,
      stop: onlyOnce(pglite.stop),
    };
  }
};
