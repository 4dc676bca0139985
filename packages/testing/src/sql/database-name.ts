import { randomBytes } from 'node:crypto';

/** The prefix of database names when the caller names none. */
export const DEFAULT_DATABASE_PREFIX = 'tributary_test';

// PostgreSQL cuts identifiers at 63 bytes (NAMEDATALEN - 1); MySQL and MariaDB allow 64.
const MAX_IDENTIFIER_LENGTH = 63;
// `_` + 9 base-36 digits of the time in ms (enough until the year 5188) + `_` + 8 hex digits.
const SUFFIX_LENGTH = 1 + 9 + 1 + 8;
const MAX_PREFIX_LENGTH = MAX_IDENTIFIER_LENGTH - SUFFIX_LENGTH;
const PREFIX_PATTERN = /^[a-z_][a-z0-9_]*$/;

/**
 * Checks a database name prefix and returns it in lower case; throws a `TypeError` when it is
 * not a plain identifier (letters, digits, `_`, not starting with a digit, at most 44 characters).
 */
export const checkDatabasePrefix = (prefix: string): string => {
  const lower = prefix.toLowerCase();
  if (!PREFIX_PATTERN.test(lower) || lower.length > MAX_PREFIX_LENGTH) {
    throw new TypeError(
      `database name prefix ${JSON.stringify(prefix)} must match /^[a-z_][a-z0-9_]*$/i ` +
        `and have at most ${MAX_PREFIX_LENGTH} characters`,
    );
  }
  return lower;
};

/**
 * A fresh database name, `<prefix>_<time>_<random>`: a valid unquoted identifier in PostgreSQL
 * and MySQL, unique across parallel test workers and machines sharing a server (32 random bits
 * per millisecond), and sortable by creation time, which makes leftovers easy to spot.
 */
export const uniqueDatabaseName = (prefix: string = DEFAULT_DATABASE_PREFIX): string => {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${checkDatabasePrefix(prefix)}_${time}_${randomBytes(4).toString('hex')}`;
};
