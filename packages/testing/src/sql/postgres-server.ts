import { PostgresDialect } from 'kysely';
import type { Client } from 'pg';
import {
  type OpenDatabaseOptions,
  openServerDatabase,
  type ServerDatabase,
} from './server-database.js';
import { CONNECT_TIMEOUT_MS, describeError } from './server-unreachable.js';

// DROP DATABASE … WITH (FORCE) arrived in PostgreSQL 13 (server_version_num 130000).
const FORCE_DROP_MIN_VERSION = 130_000;
// SQLSTATE insufficient_privilege.
const INSUFFICIENT_PRIVILEGE = '42501';

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
    connectAdmin: async (serverUrl) => {
      const admin = new Client({
        connectionString: serverUrl,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      });
      // Queries reject on their own; without a listener a dropped socket would crash the process.
      admin.on('error', () => {});
      try {
        await admin.connect();
        return admin;
      } catch (error) {
        await admin.end().catch(() => {});
        throw error;
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
