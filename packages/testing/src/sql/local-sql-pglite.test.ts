import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freePort } from '../internal/free-port.js';
import { startLocalSql } from './local-sql.js';

interface Db {
  items: { id: number; label: string };
}

// The fallback needs no server: it points at a port nothing listens on.
describe('startLocalSql falls back to PGlite outside CI', () => {
  it('uses PGlite, says so in one line, and behaves like PostgreSQL', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/test`;
    const lines: string[] = [];
    const local = await startLocalSql<Db>({
      dialect: 'postgres',
      url,
      ci: false,
      log: (line) => lines.push(line),
    });
    try {
      expect(local.backend).toBe('pglite');
      expect(local.dialect).toBe('postgres');
      expect(local.url).toBeUndefined();
      expect(local.database).toBe('postgres');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(url);
      expect(lines[0]).toContain('PGlite');
      expect(lines[0]).not.toContain('\n');

      await local.db.schema
        .createTable('items')
        .addColumn('id', 'integer', (column) => column.primaryKey())
        .addColumn('label', 'text', (column) => column.notNull())
        .execute();
      await local.db.insertInto('items').values({ id: 1, label: 'one' }).execute();
      await expect(
        local.db.transaction().execute(async (trx) => {
          await trx.insertInto('items').values({ id: 2, label: 'two' }).execute();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      const rows = await local.db.selectFrom('items').selectAll().orderBy('id').execute();
      expect(rows).toEqual([{ id: 1, label: 'one' }]);
      const version = await sql<{ v: string }>`select version() as v`.execute(local.db);
      expect(version.rows[0]?.v).toMatch(/^PostgreSQL/);
    } finally {
      await local.stop();
      await local.stop();
    }
  });
});
