/** The stream must not exist yet (version 0). */
export const NO_STREAM = 'no_stream' as const;
/** The stream must exist (at any version above 0). */
export const STREAM_EXISTS = 'stream_exists' as const;
/** No check: append at whatever version the stream is. */
export const ANY = 'any' as const;

/**
 * The version a writer expects a stream to be at before its append: an exact version (0 means
 * the stream does not exist yet) or one of {@link NO_STREAM}, {@link STREAM_EXISTS}, {@link ANY}.
 */
export type ExpectedVersion = number | typeof NO_STREAM | typeof STREAM_EXISTS | typeof ANY;

/**
 * Tells whether a stream at `actual` (0 when it does not exist) satisfies `expected`.
 *
 * @example
 * ```ts
 * matchesExpectedVersion(NO_STREAM, 0); // true
 * matchesExpectedVersion(3, 4); // false
 * ```
 */
export const matchesExpectedVersion = (expected: ExpectedVersion, actual: number): boolean => {
  switch (expected) {
    case NO_STREAM:
      return actual === 0;
    case STREAM_EXISTS:
      return actual > 0;
    case ANY:
      return true;
    default:
      return expected === actual;
  }
};

/** Throws on an expected version that is neither a non-negative integer nor a constant. */
export const assertExpectedVersion = (expected: ExpectedVersion): void => {
  if (typeof expected === 'number' && (!Number.isInteger(expected) || expected < 0)) {
    throw new RangeError(`expected version must be a non-negative integer, got ${expected}`);
  }
};
