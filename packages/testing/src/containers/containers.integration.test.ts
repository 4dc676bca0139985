import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { startLocalSql } from '../sql/local-sql.js';
import { describeContainersBackend } from './container-runtime.js';
import { startLocalStackContainer } from './localstack-container.js';
import { startPostgresContainer } from './postgres-container.js';

// Containers need a runtime (Docker, Podman, …). Without one these tests are skipped, and the
// suite title says why; they never fail a run on a machine without Docker.
const containers = await describeContainersBackend();
const CONTAINER_TIMEOUT_MS = 300_000;
// The default reporter shows skipped files without their titles; say why once.
if (!containers.available) console.warn(`containers.integration.test.ts ${containers.summary}`);

describe.skipIf(!containers.available)(`containers backend: ${containers.summary}`, () => {
  it('startPostgresContainer serves PostgreSQL 16', { timeout: CONTAINER_TIMEOUT_MS }, async () => {
    const postgres = await startPostgresContainer();
    try {
      const local = await startLocalSql({ dialect: 'postgres', url: postgres.url, ci: true });
      try {
        const result = await sql<{ version: string }>`select version() as version`.execute(
          local.db,
        );
        expect(result.rows[0]?.version).toMatch(/^PostgreSQL 16/);
      } finally {
        await local.stop();
      }
    } finally {
      await postgres.stop();
    }
  });

  it.each(['postgres', 'mysql'] as const)(
    'startLocalSql with backend containers runs %s in a container',
    { timeout: CONTAINER_TIMEOUT_MS },
    async (dialect) => {
      const local = await startLocalSql({ dialect, backend: 'containers' });
      try {
        expect(local.backend).toBe('container');
        const result = await sql<{ one: number }>`select 1 as one`.execute(local.db);
        expect(Number(result.rows[0]?.one)).toBe(1);
      } finally {
        await local.stop();
      }
    },
  );

  // Recent LocalStack images refuse to start without an auth token.
  it.skipIf(process.env.LOCALSTACK_AUTH_TOKEN === undefined)(
    'startLocalStackContainer answers on its edge endpoint (needs LOCALSTACK_AUTH_TOKEN)',
    { timeout: CONTAINER_TIMEOUT_MS },
    async () => {
      const localstack = await startLocalStackContainer(['kinesis']);
      try {
        const response = await fetch(`${localstack.endpoint}/_localstack/health`);
        expect(response.ok).toBe(true);
      } finally {
        await localstack.stop();
      }
    },
  );
});
