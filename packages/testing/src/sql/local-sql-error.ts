import type { SqlDialectName } from './sql-server-url.js';

/** What went wrong in {@link startLocalSql} or {@link LocalSql.stop}. */
export type LocalSqlErrorKind =
  /** Nothing answered at the URL within the connect timeout. */
  | 'server-unreachable'
  /** A server answered but refused the connection (authentication, missing database, TLS). */
  | 'connection-refused'
  /** The server refused to create the database (e.g. the role lacks CREATEDB). */
  | 'create-database-failed'
  /** The fresh database was created but a connection to it failed. */
  | 'open-database-failed'
  /** `stop()` could not drop the database. */
  | 'drop-database-failed';

/**
 * The error {@link startLocalSql} rejects with when a SQL server cannot give it a database, and
 * {@link LocalSql.stop} when the database cannot be dropped. The message names the (password
 * masked) URL and the environment variable to set; `cause` holds the driver's error.
 *
 * @example
 * ```ts
 * try {
 *   await startLocalSql({ dialect: 'mysql' });
 * } catch (error) {
 *   if (error instanceof LocalSqlError && error.kind === 'server-unreachable') {
 *     console.error(`start MariaDB or set ${error.envVar}`);
 *   }
 *   throw error;
 * }
 * ```
 */
export class LocalSqlError extends Error {
  override readonly name = 'LocalSqlError';
  readonly kind: LocalSqlErrorKind;
  readonly dialect: SqlDialectName;
  /** The server URL, password masked. */
  readonly url: string;
  /** The environment variable that names the server (`DATABASE_URL` or `MYSQL_URL`). */
  readonly envVar: string;
  /** The database concerned, once one was named. */
  readonly database: string | undefined;

  constructor(fields: {
    readonly kind: LocalSqlErrorKind;
    readonly dialect: SqlDialectName;
    readonly url: string;
    readonly envVar: string;
    readonly database?: string;
    readonly message: string;
    readonly cause: unknown;
  }) {
    super(fields.message, { cause: fields.cause });
    this.kind = fields.kind;
    this.dialect = fields.dialect;
    this.url = fields.url;
    this.envVar = fields.envVar;
    this.database = fields.database;
  }
}
