import { createConnection } from 'mysql2/promise';
import { describeServerDatabase } from './server-database-suite.js';
import { DEFAULT_SQL_URL } from './sql-server-url.js';

// A real MySQL or MariaDB server; there is no fallback, so one that does not answer fails these
// tests loudly, naming the URL and MYSQL_URL.
const SERVER_URL = process.env.MYSQL_URL || DEFAULT_SQL_URL.mysql;

describeServerDatabase({
  title: 'startLocalSql on a MySQL/MariaDB server',
  options: { dialect: 'mysql', url: SERVER_URL, backend: 'server', name: 'tributary_my_it' },
  createEvents: (db) =>
    db.schema
      .createTable('events')
      .addColumn('id', 'integer', (column) => column.autoIncrement().primaryKey())
      .addColumn('stream_id', 'varchar(255)', (column) => column.notNull())
      .addColumn('version', 'integer', (column) => column.notNull())
      .execute(),
  databaseExists: async (name) => {
    const admin = await createConnection({ uri: SERVER_URL });
    try {
      const [rows] = await admin.query(
        'select schema_name from information_schema.schemata where schema_name = ?',
        [name],
      );
      return (rows as unknown[]).length === 1;
    } finally {
      await admin.end();
    }
  },
  openStraggler: async (url) => {
    const straggler = await createConnection({ uri: url });
    straggler.on('error', () => {});
    await straggler.query('start transaction');
    await straggler.query('select * from events for update');
    return async () => straggler.destroy();
  },
});
