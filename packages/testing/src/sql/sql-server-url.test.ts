import { describe, expect, it } from 'vitest';
import {
  databaseOf,
  redactUrl,
  resolveServerUrl,
  withDatabase,
  withoutDatabase,
} from './sql-server-url.js';

describe('resolveServerUrl', () => {
  it('prefers the option, then the dialect variable, then the default', () => {
    const env = { DATABASE_URL: 'postgres://env@db:5432/x', MYSQL_URL: 'mysql://env@db/x' };
    expect(resolveServerUrl('postgres', 'postgres://opt@h/x', env)).toEqual({
      url: 'postgres://opt@h/x',
      source: 'option',
    });
    expect(resolveServerUrl('postgres', undefined, env).url).toBe('postgres://env@db:5432/x');
    expect(resolveServerUrl('mysql', undefined, env).url).toBe('mysql://env@db/x');
    expect(resolveServerUrl('postgres', undefined, {})).toEqual({
      url: 'postgres://postgres@127.0.0.1:5432/postgres',
      source: 'default',
    });
    expect(resolveServerUrl('mysql', undefined, { MYSQL_URL: '' }).url).toBe(
      'mysql://root@127.0.0.1:3306',
    );
  });

  it('rejects URLs that do not parse or belong to the other dialect, naming their source', () => {
    expect(() => resolveServerUrl('postgres', undefined, { DATABASE_URL: 'nope' })).toThrow(
      /DATABASE_URL is not a valid URL/,
    );
    expect(() => resolveServerUrl('mysql', 'postgres://h/x')).toThrow(
      /the url option must start with mysql:\/\/ or mariadb:\/\//,
    );
  });
});

describe('withDatabase', () => {
  it('replaces the database and keeps everything else', () => {
    expect(withDatabase('postgres://u:p@h:1/test?sslmode=disable', 'fresh')).toBe(
      'postgres://u:p@h:1/fresh?sslmode=disable',
    );
    expect(withDatabase('mysql://root@h', 'fresh')).toBe('mysql://root@h/fresh');
  });
});

describe('redactUrl', () => {
  it('masks the password only', () => {
    expect(redactUrl('postgres://u:secret@h:1/db')).toBe('postgres://u:***@h:1/db');
    expect(redactUrl('postgres://u@h:1/db')).toBe('postgres://u@h:1/db');
    expect(redactUrl('::')).toBe('<invalid URL>');
  });
});

describe('withoutDatabase and databaseOf', () => {
  it('drops the database and keeps everything else; reads the database back', () => {
    expect(withoutDatabase('mysql://u:p@h:1/test?ssl=x')).toBe('mysql://u:p@h:1?ssl=x');
    expect(databaseOf('postgres://u@h:1/app%2Dx')).toBe('app-x');
    expect(databaseOf('postgres://u@h:1/')).toBeUndefined();
    expect(databaseOf('mysql://u@h')).toBeUndefined();
  });
});
