import { describe, expect, it } from 'vitest';
import { checkDatabasePrefix, uniqueDatabaseName } from './database-name.js';

describe('uniqueDatabaseName', () => {
  it('makes distinct, valid identifiers of at most 63 characters', () => {
    const names = new Set(Array.from({ length: 1_000 }, () => uniqueDatabaseName()));
    expect(names.size).toBe(1_000);
    for (const name of names) {
      expect(name).toMatch(/^tributary_test_[0-9a-z]{9}_[0-9a-f]{8}$/);
    }
    expect(uniqueDatabaseName('a'.repeat(44)).length).toBe(63);
  });

  it('uses the prefix in lower case', () => {
    expect(uniqueDatabaseName('My_Suite')).toMatch(/^my_suite_/);
  });

  it('sorts by creation time', async () => {
    const first = uniqueDatabaseName();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(uniqueDatabaseName().slice(0, 24) > first.slice(0, 24)).toBe(true);
  });

  it.each(['', '1abc', 'a-b', 'a b', 'a"b', 'é', 'a'.repeat(45)])(
    'rejects the prefix %j',
    (prefix) => {
      expect(() => checkDatabasePrefix(prefix)).toThrow(TypeError);
    },
  );
});
