/** The SQL dialects {@link startLocalSql} serves. */
export type SqlDialectName = 'postgres' | 'mysql';

/**
 * The environment variable that names each dialect's server for {@link startLocalSql}.
 *
 * @example
 * ```ts
 * process.env[SQL_URL_ENV.postgres] = 'postgres://ci@db:5432/test'; // DATABASE_URL
 * ```
 */
export const SQL_URL_ENV = {
  postgres: 'DATABASE_URL',
  mysql: 'MYSQL_URL',
} as const satisfies Record<SqlDialectName, string>;

/**
 * The servers {@link startLocalSql} uses when neither the `url` option nor the environment names
 * one: the ones the project's machines run (PostgreSQL with trust auth, MariaDB root with an
 * empty password). The database in a server URL only matters as a fallback: `startLocalSql`
 * creates and drops its databases from PostgreSQL's `postgres` maintenance database (or, when
 * that is refused, the URL's database) and from a MySQL connection without a database.
 *
 * @example
 * ```ts
 * const adminUrl = process.env.DATABASE_URL || DEFAULT_SQL_URL.postgres;
 * ```
 */
export const DEFAULT_SQL_URL = {
  postgres: 'postgres://postgres@127.0.0.1:5432/postgres',
  mysql: 'mysql://root@127.0.0.1:3306',
} as const satisfies Record<SqlDialectName, string>;

const PROTOCOLS: Record<SqlDialectName, readonly string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mysql: ['mysql:', 'mariadb:'],
};

/** Where a server URL came from, for error messages. */
export interface ResolvedServerUrl {
  readonly url: string;
  readonly source: 'option' | 'env' | 'default';
}

/**
 * The server URL for `dialect`: `explicit`, else the dialect's environment variable, else the
 * default. Throws a `TypeError` when the URL does not parse or has another dialect's scheme.
 */
export const resolveServerUrl = (
  dialect: SqlDialectName,
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedServerUrl => {
  const fromEnv = env[SQL_URL_ENV[dialect]];
  const resolved: ResolvedServerUrl =
    explicit !== undefined
      ? { url: explicit, source: 'option' }
      : fromEnv !== undefined && fromEnv !== ''
        ? { url: fromEnv, source: 'env' }
        : { url: DEFAULT_SQL_URL[dialect], source: 'default' };
  const where = resolved.source === 'env' ? SQL_URL_ENV[dialect] : 'the url option';
  let parsed: URL;
  try {
    parsed = new URL(resolved.url);
  } catch {
    throw new TypeError(`${where} is not a valid URL`);
  }
  if (!PROTOCOLS[dialect].includes(parsed.protocol)) {
    throw new TypeError(
      `${where} must start with ${PROTOCOLS[dialect].map((p) => `${p}//`).join(' or ')}, ` +
        `got ${parsed.protocol}//`,
    );
  }
  return resolved;
};

/** `url` with its database (path) replaced by `database`. */
export const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

/** `url` without a database (path), for a connection to the server itself. */
export const withoutDatabase = (url: string): string => {
  const parsed = new URL(url);
  parsed.pathname = '';
  return parsed.toString();
};

/** The database `url` names (its path without the slash), or `undefined` when it names none. */
export const databaseOf = (url: string): string | undefined => {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name === '' ? undefined : name;
};

/** `url` with its password masked, for messages and logs. */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid URL>';
  }
};
