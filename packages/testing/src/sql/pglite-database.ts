import { Kysely, sql } from 'kysely';

/** An embedded PGlite database behind Kysely. */
export interface PgliteDatabase<DB> {
  readonly db: Kysely<DB>;
  /** PGlite's one database. */
  readonly database: string;
  /** Destroys `db`, which closes the PGlite instance and frees its memory. */
  stop(): Promise<void>;
}

/**
 * Starts an in-memory PGlite and returns a Kysely on it through Kysely's own PGlite dialect
 * (0.29+), which queues queries on PGlite's single session. Rejects when Kysely is older than
 * 0.29 or PGlite fails to start.
 */
export const openPgliteDatabase = async <DB>(): Promise<PgliteDatabase<DB>> => {
  const [kysely, { PGlite }] = await Promise.all([
    import('kysely'),
    import('@electric-sql/pglite'),
  ]);
  // The peer range (^0.29) guarantees PGliteDialect; a consumer who ignores it (a stale lockfile,
  // an override) gets this message instead of a TypeError.
  if (typeof kysely.PGliteDialect !== 'function') {
    throw new Error(
      'the PGlite fallback needs kysely >= 0.29 (PGliteDialect); upgrade kysely or set DATABASE_URL to a PostgreSQL server',
    );
  }
  const db = new Kysely<DB>({ dialect: new kysely.PGliteDialect({ pglite: () => new PGlite() }) });
  try {
    const result = await sql<{ database: string }>`select current_database() as database`.execute(
      db,
    );
    return {
      db,
      database: result.rows[0]?.database ?? 'postgres',
      stop: () => db.destroy(),
    };
  } catch (error) {
    await db.destroy().catch(() => {});
    throw error;
  }
};
