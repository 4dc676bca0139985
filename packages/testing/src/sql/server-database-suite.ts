// Test support for the server integration tests of this folder (not exported): the checks every
// dialect must pass against its real server.
import type { Generated, Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalSql, type StartLocalSqlOptions, startLocalSql } from './local-sql.js';
import { withDatabase } from './sql-server-url.js';

/** The schema the suite works on. */
export interface EventsDb {
  events: { id: Generated<number>; stream_id: string; version: number };
}

/** What the suite needs to know about a dialect and its server. */
export interface ServerDatabaseSuite {
  /** The describe title. */
  readonly title: string;
  /** Options of every {@link startLocalSql} call; `dialect` is what the databases must report. */
  readonly options: StartLocalSqlOptions;
  /** Creates `events` (auto-increment `id`, `stream_id`, `version`) in the dialect's types. */
  createEvents(db: Kysely<EventsDb>): Promise<void>;
  /** Whether the server has a database called `name`, asked through an admin connection. */
  databaseExists(name: string): Promise<boolean>;
  /**
   * Connects to the database at `url` outside Kysely and leaves a transaction open on `events`;
   * resolves with a function that closes that connection.
   */
  openStraggler(url: string): Promise<() => Promise<void>>;
}

/** Registers the tests every server dialect runs against its real server. */
export const describeServerDatabase = (suite: ServerDatabaseSuite): void => {
  describe(suite.title, () => {
    const started: LocalSql<EventsDb>[] = [];
    const start = async () => {
      const local = await startLocalSql<EventsDb>(suite.options);
      started.push(local);
      return local;
    };

    afterEach(async () => {
      await Promise.all(started.splice(0).map((local) => local.stop()));
    });

    it('gives each call its own fresh database', async () => {
      const [a, b] = await Promise.all([start(), start()]);
      expect(a.backend).toBe('server');
      expect(a.dialect).toBe(suite.options.dialect);
      expect(a.database).not.toBe(b.database);
      expect(a.url).toContain(`/${a.database}`);
      expect(await suite.databaseExists(a.database)).toBe(true);
      expect(await suite.databaseExists(b.database)).toBe(true);

      await suite.createEvents(a.db);
      expect(await b.db.introspection.getTables()).toEqual([]);
      expect((await a.db.introspection.getTables()).map((table) => table.name)).toEqual(['events']);
    });

    it('works with a server URL naming a database that does not exist', async () => {
      const missing = 'tributary_no_such_database';
      expect(await suite.databaseExists(missing)).toBe(false);
      const local = await startLocalSql<EventsDb>({
        ...suite.options,
        url: withDatabase(suite.options.url ?? '', missing),
      });
      started.push(local);
      expect(local.backend).toBe('server');
      await suite.createEvents(local.db);
      expect(await suite.databaseExists(local.database)).toBe(true);
      await local.stop();
      expect(await suite.databaseExists(local.database)).toBe(false);
      expect(await suite.databaseExists(missing)).toBe(false);
    });

    it('creates, inserts and selects through Kysely', async () => {
      const local = await start();
      await suite.createEvents(local.db);
      await local.db
        .insertInto('events')
        .values([
          { stream_id: 'order-1', version: 1 },
          { stream_id: 'order-1', version: 2 },
        ])
        .execute();
      const rows = await local.db
        .selectFrom('events')
        .select(['stream_id', 'version'])
        .orderBy('version')
        .execute();
      expect(rows).toEqual([
        { stream_id: 'order-1', version: 1 },
        { stream_id: 'order-1', version: 2 },
      ]);
    });

    it('rolls back a failed transaction and commits a successful one', async () => {
      const local = await start();
      await suite.createEvents(local.db);
      await expect(
        local.db.transaction().execute(async (trx) => {
          await trx.insertInto('events').values({ stream_id: 's', version: 1 }).execute();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await local.db.selectFrom('events').selectAll().execute()).toEqual([]);

      await local.db.transaction().execute(async (trx) => {
        await trx.insertInto('events').values({ stream_id: 's', version: 1 }).execute();
      });
      expect(await local.db.selectFrom('events').select('version').execute()).toEqual([
        { version: 1 },
      ]);
    });

    it('stop() drops the database, even with a transaction still open in it', async () => {
      const local = await start();
      await suite.createEvents(local.db);
      const closeStraggler = await suite.openStraggler(local.url ?? '');
      try {
        await local.stop();
        expect(await suite.databaseExists(local.database)).toBe(false);
        await local.stop();
      } finally {
        await closeStraggler();
      }
    });
  });
};
