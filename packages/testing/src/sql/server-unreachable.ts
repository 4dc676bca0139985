/** How long {@link startLocalSql} waits for a server to answer before it gives up. */
export const CONNECT_TIMEOUT_MS = 2_000;

// Socket-level failures: no server listens at the address, or nothing answers there.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

// What node-postgres reports when its connect timeout fires or the socket closes before the
// server's first message; both mean no PostgreSQL server answered.
const UNREACHABLE_MESSAGES = [
  'timeout expired',
  'Connection terminated due to connection timeout',
  'Connection terminated unexpectedly',
];

const codeOf = (error: object): unknown => ('code' in error ? error.code : undefined);

/**
 * Whether a connect error means that no server answered, as opposed to a server that answered
 * and refused (wrong password, unknown database, TLS required).
 */
export const isUnreachable = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const code = codeOf(error);
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  // Node's happy-eyeballs connect reports every address it tried in an AggregateError.
  if (error instanceof AggregateError && error.errors.some(isUnreachable)) return true;
  const message = error instanceof Error ? error.message : '';
  return UNREACHABLE_MESSAGES.some((text) => message.includes(text));
};

/** A short description of a driver error for one-line messages. */
export const describeError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) {
    return error.errors.map(describeError).join('; ');
  }
  const code = typeof error === 'object' && 'code' in error ? error.code : undefined;
  const message = error.message !== '' ? error.message : error.name;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
};
