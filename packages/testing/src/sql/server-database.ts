import { type Dialect, Kysely, sql } from 'kysely';
import { uniqueDatabaseName } from './database-name.js';
import { LocalSqlError, type LocalSqlErrorKind } from './local-sql-error.js';
import { CONNECT_TIMEOUT_MS, describeError, isUnreachable } from './server-unreachable.js';
import { redactUrl, SQL_URL_ENV, type SqlDialectName, withDatabase } from './sql-server-url.js';

/** A fresh database on a server, opened by the dialect modules for {@link startLocalSql}. */
export interface ServerDatabase<DB> {
  readonly db: Kysely<DB>;
  readonly database: string;
  /** The URL of the fresh database (the server URL with the database replaced). */
  readonly url: string;
  /** Destroys `db`, then drops the database. */
  stop(): Promise<void>;
}

/** What the dialect modules need besides the server URL. */
export interface OpenDatabaseOptions {
  readonly serverUrl: string;
  /** The checked database name prefix. */
  readonly prefix: string;
  readonly log: (line: string) => void;
  /** Appended to the message when no server answers: what the caller should do about it. */
  readonly unreachableHint: string;
}

/** An admin connection to the server (not to the fresh database). */
export interface AdminConnection {
  end(): Promise<void>;
}

/** Drops the fresh database through an admin connection, ending what still uses it. */
export type DropDatabase<Admin> = (admin: Admin) => Promise<void>;

/** What differs between the dialects: the driver, and the SQL that creates and drops a database. */
export interface ServerDialect<Admin extends AdminConnection> {
  readonly dialect: SqlDialectName;
  /** The server's name in messages: `MySQL`, `PostgreSQL`. */
  readonly serverName: string;
  /**
   * Connects to the server at `serverUrl` within {@link CONNECT_TIMEOUT_MS}; rejects with the
   * driver's error, leaving nothing open.
   */
  connectAdmin(serverUrl: string): Promise<Admin>;
  /**
   * Creates `database` (a checked identifier) through `admin`; resolves with how to drop it again.
   * Rejects with the driver's error.
   */
  createDatabase(admin: Admin, database: string): Promise<DropDatabase<Admin>>;
  /** Appended to the message when `createDatabase` rejects with `error` (default: nothing). */
  createFailureHint?(error: unknown): string;
  /** The Kysely dialect, with its connection pool, for the fresh database at `url`. */
  createDialect(url: string, database: string): Dialect;
}

/**
 * Creates a fresh database on the server at `options.serverUrl`, checks with `select 1` that a
 * Kysely on `server`'s dialect reaches it, and returns it with a `stop()` that destroys the Kysely
 * and drops the database. Rejects with {@link LocalSqlError}; drops the database again when it
 * was created but cannot be opened.
 */
export const openServerDatabase = async <DB, Admin extends AdminConnection>(
  options: OpenDatabaseOptions,
  server: ServerDialect<Admin>,
): Promise<ServerDatabase<DB>> => {
  const { serverUrl } = options;
  const { dialect, serverName } = server;
  const shownUrl = redactUrl(serverUrl);
  const envVar = SQL_URL_ENV[dialect];
  const failure = (
    kind: LocalSqlErrorKind,
    message: string,
    cause: unknown,
    database?: string,
  ): LocalSqlError =>
    new LocalSqlError({
      kind,
      dialect,
      url: shownUrl,
      envVar,
      message,
      cause,
      ...(database === undefined ? {} : { database }),
    });

  const connectAdmin = async (): Promise<Admin> => {
    try {
      return await server.connectAdmin(serverUrl);
    } catch (error) {
      throw isUnreachable(error)
        ? failure(
            'server-unreachable',
            `${serverName} server at ${shownUrl} did not answer within ${CONNECT_TIMEOUT_MS} ms ` +
              `(${describeError(error)}). ${options.unreachableHint}`,
            error,
          )
        : failure(
            'connection-refused',
            `${serverName} server at ${shownUrl} refused the connection (${describeError(error)}). ` +
              `Fix the URL or set ${envVar}.`,
            error,
          );
    }
  };

  const database = uniqueDatabaseName(options.prefix);
  const admin = await connectAdmin();
  let dropWith: DropDatabase<Admin>;
  try {
    dropWith = await server.createDatabase(admin, database);
  } catch (error) {
    throw failure(
      'create-database-failed',
      `could not create database ${database} on ${shownUrl} (${describeError(error)})` +
        (server.createFailureHint?.(error) ?? ''),
      error,
      database,
    );
  } finally {
    await admin.end().catch(() => {});
  }

  const drop = async (): Promise<void> => {
    const dropper = await connectAdmin();
    try {
      await dropWith(dropper);
    } finally {
      await dropper.end().catch(() => {});
    }
  };

  const url = withDatabase(serverUrl, database);
  const db = new Kysely<DB>({ dialect: server.createDialect(url, database) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    await drop().catch(() => {});
    throw failure(
      'open-database-failed',
      `created database ${database} on ${shownUrl} but could not connect to it (${describeError(error)})`,
      error,
      database,
    );
  }

  return {
    db,
    database,
    url,
    stop: async () => {
      // A pool that fails to close cleanly leaves connections behind, which the drop ends.
      await db.destroy().catch(() => {});
      try {
        await drop();
      } catch (error) {
        throw failure(
          'drop-database-failed',
          `could not drop database ${database} on ${shownUrl} (${describeError(error)})`,
          error,
          database,
        );
      }
    },
  };
};
