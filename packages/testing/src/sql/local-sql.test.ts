import { afterEach, describe, expect, it } from 'vitest';
import { probeContainerRuntime } from '../containers/container-runtime.js';
import { freePort } from '../internal/free-port.js';
import { startLocalSql } from './local-sql.js';
import { LocalSqlError } from './local-sql-error.js';

// These cases need no server: they check what happens when none answers.
const runtime = await probeContainerRuntime();
const savedEnv = { ...process.env };

afterEach(() => {
  for (const key of ['CI', 'TRIBUTARY_TEST_BACKEND', 'DATABASE_URL', 'MYSQL_URL']) {
    const saved = savedEnv[key];
    if (saved === undefined) delete process.env[key];
    else process.env[key] = saved;
  }
});

const silentUrl = async (scheme: 'postgres' | 'mysql', credentials = 'someone') =>
  `${scheme}://${credentials}@127.0.0.1:${await freePort()}/test`;

describe('startLocalSql when no server answers', () => {
  it('rejects in CI (ci: true), naming the URL and DATABASE_URL, and logs nothing', async () => {
    const url = await silentUrl('postgres');
    const lines: string[] = [];
    const error = await startLocalSql({
      dialect: 'postgres',
      url,
      ci: true,
      log: (line) => lines.push(line),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LocalSqlError);
    const sqlError = error as LocalSqlError;
    expect(sqlError.kind).toBe('server-unreachable');
    expect(sqlError.message).toContain(url);
    expect(sqlError.message).toContain('DATABASE_URL');
    expect(sqlError.message).toContain('CI=true');
    expect(sqlError.envVar).toBe('DATABASE_URL');
    expect(sqlError.cause).toBeInstanceOf(Error);
    expect(lines).toEqual([]);
  });

  it('rejects when the environment says CI=true', async () => {
    process.env.CI = 'true';
    const url = await silentUrl('postgres');
    await expect(startLocalSql({ dialect: 'postgres', url, log: () => {} })).rejects.toThrow(
      new RegExp(`PostgreSQL server at ${url.replaceAll('.', '\\.')} did not answer.*DATABASE_URL`),
    );
  });

  it('masks the password in the message', async () => {
    const url = await silentUrl('postgres', 'someone:hunter2');
    const error = (await startLocalSql({ dialect: 'postgres', url, ci: true }).catch(
      (caught: unknown) => caught,
    )) as Error;
    expect(error.message).toContain('someone:***@127.0.0.1');
    expect(error.message).not.toContain('hunter2');
  });

  it('rejects for MySQL whatever CI says, naming the URL and MYSQL_URL', async () => {
    const url = await silentUrl('mysql');
    const error = await startLocalSql({ dialect: 'mysql', url, ci: false }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LocalSqlError);
    expect((error as LocalSqlError).kind).toBe('server-unreachable');
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain('MYSQL_URL');
  });

  it('reads the server from MYSQL_URL when no url is given', async () => {
    process.env.MYSQL_URL = await silentUrl('mysql');
    await expect(startLocalSql({ dialect: 'mysql' })).rejects.toThrow(process.env.MYSQL_URL);
  });
});

describe('startLocalSql with bad options', () => {
  it('throws a TypeError for an invalid name prefix or URL', async () => {
    await expect(startLocalSql({ dialect: 'postgres', name: 'my-tests' })).rejects.toThrow(
      TypeError,
    );
    await expect(startLocalSql({ dialect: 'mysql', url: 'postgres://h/x' })).rejects.toThrow(
      TypeError,
    );
  });
});

describe.runIf(!runtime.available)(
  'startLocalSql with the containers backend and no runtime',
  () => {
    it.each(['postgres', 'mysql'] as const)(
      '%s says once that containers are skipped and uses the server',
      async (dialect) => {
        process.env.TRIBUTARY_TEST_BACKEND = 'containers';
        const lines: string[] = [];
        const log = (line: string) => lines.push(line);
        const first = await startLocalSql({ dialect, log, ci: true });
        try {
          const second = await startLocalSql({ dialect, log, ci: true });
          await second.stop();
          expect(first.backend).toBe('server');
          expect(second.backend).toBe('server');
          expect(lines).toEqual([
            expect.stringMatching(
              /^tributary: TRIBUTARY_TEST_BACKEND=containers skipped: .+; using the server$/,
            ),
          ]);
        } finally {
          await first.stop();
        }
      },
    );
  },
);
