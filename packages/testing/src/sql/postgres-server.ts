import { PostgresDialect } from 'kysely';
import type { Client } from 'pg';
import {
  type OpenDatabaseOptions,
  openServerDatabase,
  type ServerDatabase,
} from './server-database.js';
import { CONNECT_TIMEOUT_MS, describeError, isUnreachable } from './server-unreachable.js';
import { databaseOf, withDatabase } from './sql-server-url.js';

// DROP DATABASE … WITH (FORCE) arrived in PostgreSQL 13 (server_version_num 130000).
const FORCE_DROP_MIN_VERSION = 130_000;
// SQLSTATE insufficient_privilege.
const INSUFFICIENT_PRIVILEGE = '42501';
// Every PostgreSQL cluster has it (initdb creates it) for exactly this: a database to connect to
// while creating and dropping the others.
const MAINTENANCE_DATABASE = 'postgres';

const connectClient = async (PgClient: typeof Client, url: string): Promise<Client> => {
  const client = new PgClient({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // Queries reject on their own; without a listener a dropped socket would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
};

/**
 * Creates a fresh database on the PostgreSQL server at `serverUrl` and returns a Kysely
 * (pg Pool + PostgresDialect) connected to it. Rejects with {@link LocalSqlError}.
 */
export const openPostgresDatabase = async <DB>(
  options: OpenDatabaseOptions,
): Promise<ServerDatabase<DB>> => {
  const { Client, Pool } = await import('pg');
  return openServerDatabase<DB, Client>(options, {
    dialect: 'postgres',
    serverName: 'PostgreSQL',
    // The URL's database need not exist (it is only the server's address here): the admin
    // connects to the maintenance database, and only where that is refused (no CONNECT on it, or
    // a cluster without it) to the URL's database.
    connectAdmin: async (serverUrl) => {
      try {
        return await connectClient(Client, withDatabase(serverUrl, MAINTENANCE_DATABASE));
      } catch (error) {
        if (isUnreachable(error) || databaseOf(serverUrl) === MAINTENANCE_DATABASE) throw error;
        return connectClient(Client, serverUrl);
      }
    },
    createDatabase: async (admin, database) => {
      const version = await admin.query<{ server_version_num: string }>('SHOW server_version_num');
      const serverVersion = Number(version.rows[0]?.server_version_num ?? 0);
      // The name is a checked identifier (see uniqueDatabaseName); quoting keeps it verbatim.
      await admin.query(`CREATE DATABASE "${database}"`);
      return async (dropper) => {
        if (serverVersion >= FORCE_DROP_MIN_VERSION) {
          await dropper.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        } else {
          await dropper.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [database],
          );
          await dropper.query(`DROP DATABASE IF EXISTS "${database}"`);
        }
      };
    },
    createFailureHint: (error) =>
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      error.code === INSUFFICIENT_PRIVILEGE
        ? '; the role needs the CREATEDB privilege'
        : '',
    createDialect: (url, database) => {
      const pool = new Pool({ connectionString: url, connectionTimeoutMillis: 10_000 });
      // An idle pooled connection that the server closes emits 'error' on the pool; unheard, it
      // would crash the test runner.
      pool.on('error', (error) => {
        options.log(`tributary: idle connection to ${database} failed: ${describeError(error)}`);
      });
      return new PostgresDialect({ pool });
    },
  });
};
