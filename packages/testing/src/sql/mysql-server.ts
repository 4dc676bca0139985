import { MysqlDialect } from 'kysely';
import type { Connection } from 'mysql2/promise';
import {
  type OpenDatabaseOptions,
  openServerDatabase,
  type ServerDatabase,
} from './server-database.js';
import { CONNECT_TIMEOUT_MS } from './server-unreachable.js';
import { withoutDatabase } from './sql-server-url.js';

/**
 * Creates a fresh database on the MySQL or MariaDB server at `serverUrl` and returns a Kysely
 * (mysql2 pool + MysqlDialect) connected to it. Rejects with {@link LocalSqlError}.
 */
export const openMysqlDatabase = async <DB>(
  options: OpenDatabaseOptions,
): Promise<ServerDatabase<DB>> => {
  const [{ createConnection }, { createPool }] = await Promise.all([
    import('mysql2/promise'),
    import('mysql2'),
  ]);
  return openServerDatabase<DB, Connection>(options, {
    dialect: 'mysql',
    serverName: 'MySQL',
    // Without a database: the URL's database need not exist, CREATE/DROP DATABASE need none.
    connectAdmin: async (serverUrl) => {
      const admin = await createConnection({
        uri: withoutDatabase(serverUrl),
        connectTimeout: CONNECT_TIMEOUT_MS,
      });
      // Queries reject on their own; without a listener a dropped socket would crash the process.
      admin.on('error', () => {});
      return admin;
    },
    createDatabase: async (admin, database) => {
      // The name is a checked identifier (see uniqueDatabaseName); quoting keeps it verbatim.
      await admin.query(`CREATE DATABASE \`${database}\``);
      return async (dropper) => {
        // A connection still inside a transaction would hold metadata locks and block the drop.
        const [rows] = await dropper.query(
          'SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()',
          [database],
        );
        for (const row of rows as Array<{ id: number | string }>) {
          await dropper.query(`KILL ${Number(row.id)}`).catch(() => {});
        }
        await dropper.query(`DROP DATABASE IF EXISTS \`${database}\``);
      };
    },
    createDialect: (url) =>
      new MysqlDialect({
        pool: createPool({ uri: url, connectionLimit: 10, connectTimeout: 10_000 }),
      }),
  });
};
