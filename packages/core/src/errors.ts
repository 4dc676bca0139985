/**
 * Every expected failure in Tributary is a value of one of these types, discriminated by `kind`.
 * A caller can `switch (error.kind)` exhaustively; a `StoreError` carries a further `code`.
 */

/** One failing path of a decoded value, with what was expected and what was found. */
export interface ValidationIssue {
  /** Dotted path into the input, e.g. `items.0.quantity`; empty for the root. */
  readonly path: string;
  /** The expected type, as the codec names it (e.g. `number`, `"Reserved" | "Paid"`). */
  readonly expected: string;
  /** A short rendering of the value that was found (`undefined` when the field is missing). */
  readonly actual: string;
  /** A message from a custom codec, when it gave one. */
  readonly message?: string;
}

/** Input (a command body, an event's data, a snapshot's state) did not match its codec. */
export interface ValidationError {
  readonly kind: 'ValidationError';
  readonly message: string;
  /** What was being decoded: `command ReserveStock`, `event ProductCreated v2`. */
  readonly subject: string;
  /** Every failing path, never just the first. */
  readonly issues: readonly ValidationIssue[];
}

/** The decider refused the command. `code` is chosen by the aggregate. */
export interface DomainError<Code extends string = string> {
  readonly kind: 'DomainError';
  readonly code: Code;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The stream was not at the expected version (after the command handler's retries, if any). */
export interface ConcurrencyError {
  readonly kind: 'ConcurrencyError';
  readonly message: string;
  /** The stream (or, for checkpoints, `consumer/partition`) whose version did not match. */
  readonly streamId: string;
  /** The version the writer expected, as a number or one of the expected-version constants. */
  readonly expectedVersion: number | string;
  /** The version the store holds, when it could tell. */
  readonly actualVersion?: number;
  /** How many attempts the command handler made before it gave up. */
  readonly attempts?: number;
}

/** Why a store operation failed. */
export type StoreErrorCode =
  /** The backend could not be reached or refused the call (throttling, network, timeouts). */
  | 'Unavailable'
  /** A stored event has a type that no registered event type knows. */
  | 'UnknownEventType'
  /** A stored event (after upcasting) does not match its codec. */
  | 'InvalidEvent'
  /** A stored event's schema version has no upcaster path to the current one. */
  | 'MissingUpcaster'
  /** A stored snapshot does not match the aggregate's state codec. */
  | 'InvalidSnapshot'
  /** A snapshot was written by older code and the aggregate has no `migrateState`. */
  | 'SnapshotOutdated'
  /** A snapshot was written by newer code than this one (its stateVersion is higher). */
  | 'SnapshotFromNewerCode'
  /** A write would exceed a service limit (item size, record size, batch size). */
  | 'LimitExceeded'
  /** Input no store can accept: an empty stream id, one too long for the backend's keys. */
  | 'InvalidInput'
  /** Anything else; see `cause`. */
  | 'Unexpected';

/** A storage backend failed, or stored data could not be turned back into domain values. */
export interface StoreError {
  readonly kind: 'StoreError';
  readonly code: StoreErrorCode;
  readonly message: string;
  readonly streamId?: string;
  readonly version?: number;
  readonly cause?: unknown;
}

/** Why a projection stopped in a batch. */
export type ProjectionFailureCode =
  /** A tracked stream skipped versions: a commit was lost or arrived out of order. */
  | 'Gap'
  /** A stored event of a handled type could not be upcast or decoded. */
  | 'InvalidEvent'
  /** A handler threw or rejected. */
  | 'HandlerFailed';

/**
 * A projection failed at one commit. Every commit before `failedAt` (index in the batch) was
 * applied by every projection; the failing commit and the rest must be delivered again.
 */
export interface ProjectionError {
  readonly kind: 'ProjectionError';
  readonly code: ProjectionFailureCode;
  readonly message: string;
  readonly projection: string;
  readonly projectionVersion: number;
  readonly streamId: string;
  /** The version of the event that failed, or the first version of the commit after a gap. */
  readonly version: number;
  /** For a gap: the last version the projection had applied. */
  readonly lastApplied?: number;
  /** Index of the failing commit in the batch. */
  readonly failedAt: number;
  readonly cause?: unknown;
}

/** What the command handler can fail with. */
export type CommandHandlerError<Code extends string = string> =
  | ValidationError
  | DomainError<Code>
  | ConcurrencyError
  | StoreError;

/** Creates a {@link DomainError}. Deciders return it as `err(domainError(...))`. */
export const domainError = <const Code extends string>(
  code: Code,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): DomainError<Code> =>
  details === undefined
    ? { kind: 'DomainError', code, message }
    : { kind: 'DomainError', code, message, details };

/** Creates a {@link ConcurrencyError}. */
export const concurrencyError = (
  fields: Omit<ConcurrencyError, 'kind' | 'message'> & {
    readonly message?: string;
  },
): ConcurrencyError => {
  const { message, ...rest } = fields;
  return {
    kind: 'ConcurrencyError',
    message:
      message ??
      `stream ${fields.streamId} is not at the expected version ${String(fields.expectedVersion)}` +
        (fields.actualVersion === undefined ? '' : ` (it is at ${fields.actualVersion})`),
    ...rest,
  };
};

/** Creates a {@link StoreError}. */
export const storeError = (
  code: StoreErrorCode,
  message: string,
  fields: { readonly streamId?: string; readonly version?: number; readonly cause?: unknown } = {},
): StoreError => ({ kind: 'StoreError', code, message, ...fields });

/** Renders any error value or thrown exception as one line, for logs and test failures. */
export const describeError = (error: unknown): string => {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const kind = 'kind' in error ? `${String(error.kind)}: ` : '';
    return `${kind}${String(error.message)}`;
  }
  return String(error);
};
