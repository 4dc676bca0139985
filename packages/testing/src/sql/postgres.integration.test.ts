import pg from 'pg';
import { describeServerDatabase } from './server-database-suite.js';
import { DEFAULT_SQL_URL } from './sql-server-url.js';

// A real PostgreSQL server: `ci: true` turns off the PGlite fallback, so a server that does not
// answer fails these tests loudly, naming the URL.
const SERVER_URL = process.env.DATABASE_URL || DEFAULT_SQL_URL.postgres;

const adminQuery = async <Row extends pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<Row[]> => {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
};

describeServerDatabase({
  title: 'startLocalSql on a PostgreSQL server',
  options: {
    dialect: 'postgres',
    url: SERVER_URL,
    ci: true,
    backend: 'server',
    name: 'tributary_pg_it',
  },
  createEvents: (db) =>
    db.schema
      .createTable('events')
      .addColumn('id', 'serial', (column) => column.primaryKey())
      .addColumn('stream_id', 'text', (column) => column.notNull())
      .addColumn('version', 'integer', (column) => column.notNull())
      .execute(),
  databaseExists: async (name) =>
    (await adminQuery('select 1 from pg_database where datname = $1', [name])).length === 1,
  openStraggler: async (url) => {
    const straggler = new pg.Client({ connectionString: url });
    straggler.on('error', () => {});
    await straggler.connect();
    await straggler.query('begin');
    await straggler.query('select * from events for update');
    return () => straggler.end().catch(() => {});
  },
});
