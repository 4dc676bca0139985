import {
  type Commit,
  err,
  ok,
  type RawEventEnvelope,
  type Result,
  toValidationIssues,
  type ValidationIssue,
} from '@tributary/core';
import * as t from 'io-ts';

/** The marker every Tributary commit record carries, so readers can tell it from other data: `{ "format": "tributary.commit", ... }`. */
export const COMMIT_FORMAT = 'tributary.commit';
/** The version of the commit format this code writes; `decodeCommit` refuses newer ones as `UnsupportedVersion`. */
export const COMMIT_FORMAT_VERSION = 1;

/** Why a record is not a commit this code can read. */
export type CommitDecodeFailure =
  /** The bytes are not UTF-8 JSON. */
  | 'NotJson'
  /** JSON without the commit format marker: some other producer's record. */
  | 'UnknownFormat'
  /** A commit format version newer than this code knows. */
  | 'UnsupportedVersion'
  /** The commit format marker is right, the content is not (every failing path is listed). */
  | 'InvalidCommit';

/**
 * A record that cannot be decoded into a commit; consumers quarantine it with this reason.
 *
 * @example
 * ```ts
 * const decoded = decodeCommit(data);
 * if (decoded.isErr()) await quarantine({ reason: decoded.error.reason, message: decoded.error.message });
 * ```
 */
export interface CommitDecodeError {
  readonly kind: 'CommitDecodeError';
  readonly reason: CommitDecodeFailure;
  readonly message: string;
  readonly issues: readonly ValidationIssue[];
}

const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1, 'PositiveInteger');

const EnvelopeCodec = t.type({
  type: t.string,
  data: t.unknown,
  streamId: t.string,
  version: PositiveInt,
  eventId: t.string,
  occurredAt: t.string,
  schemaVersion: PositiveInt,
  metadata: t.UnknownRecord,
});

const CommitCodec = t.intersection([
  t.type({
    format: t.literal(COMMIT_FORMAT),
    formatVersion: PositiveInt,
    streamId: t.string,
    fromVersion: PositiveInt,
    toVersion: PositiveInt,
    committedAt: t.string,
    events: t.array(EnvelopeCodec),
  }),
  t.partial({ commandId: t.string }),
]);

const failure = (
  reason: CommitDecodeFailure,
  message: string,
  issues: readonly ValidationIssue[] = [],
): CommitDecodeError => ({ kind: 'CommitDecodeError', reason, message, issues });

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes a commit as one Kinesis record's data: UTF-8 JSON with the format marker and version.
 *
 * @example
 * ```ts
 * await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: commit.streamId, Data: encodeCommit(commit) }));
 * ```
 */
export const encodeCommit = (commit: Commit): Uint8Array =>
  encoder.encode(
    JSON.stringify({
      format: COMMIT_FORMAT,
      formatVersion: COMMIT_FORMAT_VERSION,
      streamId: commit.streamId,
      fromVersion: commit.fromVersion,
      toVersion: commit.toVersion,
      ...(commit.commandId === undefined ? {} : { commandId: commit.commandId }),
      committedAt: commit.committedAt,
      events: commit.events,
    }),
  );

/**
 * Decodes one record's data (bytes, or the base64 string of a Lambda `KinesisStreamEvent`) into a
 * commit whose events are still raw (upcast and decode them with an event registry). Never
 * throws: a record that is not a readable commit is a {@link CommitDecodeError} with the reason.
 *
 * @example
 * ```ts
 * const commit = decodeCommit(record.kinesis.data, { base64: true });
 * if (commit.isErr()) await quarantine(record, commit.error.message);
 * ```
 */
export const decodeCommit = (
  data: Uint8Array | string,
  options: { readonly base64?: boolean } = {},
): Result<Commit, CommitDecodeError> => {
  let parsed: unknown;
  try {
    const bytes =
      typeof data === 'string'
        ? options.base64 === true
          ? Buffer.from(data, 'base64')
          : encoder.encode(data)
        : data;
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    return err(failure('NotJson', `record is not UTF-8 JSON: ${String(cause)}`));
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('format' in parsed) ||
    parsed.format !== COMMIT_FORMAT
  ) {
    return err(failure('UnknownFormat', `record has no "format": "${COMMIT_FORMAT}" marker`));
  }
  if (
    'formatVersion' in parsed &&
    typeof parsed.formatVersion === 'number' &&
    parsed.formatVersion > COMMIT_FORMAT_VERSION
  ) {
    return err(
      failure(
        'UnsupportedVersion',
        `commit format version ${parsed.formatVersion} is newer than this code's ${COMMIT_FORMAT_VERSION}`,
      ),
    );
  }
  const decoded = CommitCodec.decode(parsed);
  if (decoded._tag === 'Left') {
    const issues = toValidationIssues(decoded.left);
    return err(
      failure(
        'InvalidCommit',
        `invalid commit: ${issues.map((issue) => `${issue.path || '(root)'}: expected ${issue.expected}, got ${issue.actual}`).join('; ')}`,
        issues,
      ),
    );
  }
  const { format: _format, formatVersion: _version, ...commit } = decoded.right;
  const shapeProblem = checkConsistency(commit);
  if (shapeProblem !== undefined) return err(failure('InvalidCommit', shapeProblem));
  return ok({ ...commit, events: commit.events as unknown as RawEventEnvelope[] });
};

const checkConsistency = (commit: {
  readonly streamId: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly events: readonly { readonly streamId: string; readonly version: number }[];
}): string | undefined => {
  if (commit.events.length === 0)
    return `commit ${commit.streamId}@${commit.fromVersion} has no events`;
  if (commit.toVersion - commit.fromVersion + 1 !== commit.events.length) {
    return `commit ${commit.streamId}@${commit.fromVersion}..${commit.toVersion} holds ${commit.events.length} events`;
  }
  for (const [index, event] of commit.events.entries()) {
    if (event.streamId !== commit.streamId || event.version !== commit.fromVersion + index) {
      return `event ${index} of commit ${commit.streamId}@${commit.fromVersion}..${commit.toVersion} is ${event.streamId}@${event.version}`;
    }
  }
  return undefined;
};
