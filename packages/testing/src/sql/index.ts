export {
  type LocalSql,
  type LocalSqlBackend,
  type StartLocalSqlOptions,
  startLocalSql,
} from './local-sql.js';
export { LocalSqlError, type LocalSqlErrorKind } from './local-sql-error.js';
export { DEFAULT_SQL_URL, SQL_URL_ENV, type SqlDialectName } from './sql-server-url.js';
