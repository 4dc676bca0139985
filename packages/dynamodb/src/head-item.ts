import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type AppliedCommand,
  type Commit,
  err,
  ok,
  type Result,
  type Snapshot,
  type StoreError,
  type StreamHead,
  storeError,
  toValidationIssues,
  type ValidationIssue,
} from '@tributary/core';
import * as t from 'io-ts';
import { decodePayload } from './payload-encoding.js';

/** The attribute names of a head item. */
export const HEAD_ATTRIBUTES = {
  streamId: 'streamId',
  version: 'version',
  state: 'state',
  stateEncoding: 'stateEncoding',
  stateVersion: 'stateVersion',
  pending: 'pending',
  pendingEncoding: 'pendingEncoding',
  pendingSince: 'pendingSince',
  lastPosition: 'lastPosition',
  lastCommitId: 'lastCommitId',
  recentCommands: 'recentCommands',
} as const;

const S = t.type({ S: t.string }, 'S');
const IntegerString = t.refinement(
  t.string,
  (text) => /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)),
  'integer',
);
const N = t.type({ N: IntegerString }, 'N');
const Bytes = new t.Type<Uint8Array, Uint8Array, unknown>(
  'Uint8Array',
  (input): input is Uint8Array => input instanceof Uint8Array,
  (input, context) => (input instanceof Uint8Array ? t.success(input) : t.failure(input, context)),
  t.identity,
);
const B = t.type({ B: Bytes }, 'B');
const Payload = t.union([S, B], 'S | B');
const Encoding = t.type({ S: t.keyof({ json: null, deflate: null }) }, 'S(json | deflate)');
const CommandEntry = t.type(
  { M: t.type({ fromVersion: N, toVersion: N, committedAt: S }) },
  'M(fromVersion, toVersion, committedAt)',
);

/** A head item's attributes as DynamoDB returns them. */
const HeadItem = t.intersection([
  t.type({
    streamId: S,
    version: N,
    recentCommands: t.type({ M: t.record(t.string, CommandEntry) }, 'M'),
  }),
  t.partial({
    state: Payload,
    stateEncoding: Encoding,
    stateVersion: N,
    pending: Payload,
    pendingEncoding: Encoding,
    pendingSince: S,
    lastPosition: S,
    lastCommitId: S,
  }),
]);

const EventEnvelope = t.type({
  type: t.string,
  data: t.unknown,
  streamId: t.string,
  version: t.number,
  eventId: t.string,
  occurredAt: t.string,
  schemaVersion: t.number,
  metadata: t.UnknownRecord,
});

/** The pending commit, once its JSON is parsed. Extra fields are kept as they are. */
const CommitCodec = t.intersection([
  t.type({
    streamId: t.string,
    fromVersion: t.number,
    toVersion: t.number,
    committedAt: t.string,
    events: t.array(EventEnvelope),
  }),
  t.partial({ commandId: t.string }),
]);

const renderIssues = (issues: readonly ValidationIssue[]): string =>
  issues
    .map(
      (issue) =>
        `${issue.path === '' ? '(root)' : issue.path}: ${issue.message ?? `expected ${issue.expected}, got ${issue.actual}`}`,
    )
    .join('; ');

const decodeWithIssues = <A>(codec: t.Decoder<unknown, A>, input: unknown): Result<A, string> => {
  const decoded = codec.decode(input);
  return decoded._tag === 'Left'
    ? err(renderIssues(toValidationIssues(decoded.left)))
    : ok(decoded.right);
};

const integer = (attribute: { readonly N: string }): number => Number(attribute.N);

/**
 * Turns a head item (from GetItem, ALL_OLD return values, a cancellation reason or the pending
 * index) into a {@link StreamHead}. A malformed item is a `StoreError` naming the stream and every
 * failing path: `InvalidSnapshot` when only the state cannot be read, `Unexpected` otherwise.
 * Items from the pending index carry no state: their heads have no snapshot.
 */
export const decodeHeadItem = (
  item: Readonly<Record<string, AttributeValue>>,
  table: string,
  expectedStreamId?: string,
): Result<StreamHead, StoreError> => {
  const named = item.streamId?.S ?? expectedStreamId ?? '(unknown stream)';
  const corrupt = (what: string, code: 'Unexpected' | 'InvalidSnapshot' = 'Unexpected') =>
    err(
      storeError(code, `the head item of ${named} in table ${table} is corrupt: ${what}`, {
        streamId: named,
      }),
    );

  const decoded = decodeWithIssues(HeadItem, item);
  if (decoded.isErr()) return corrupt(decoded.error);
  const raw = decoded.value;
  const streamId = raw.streamId.S;
  const version = integer(raw.version);

  let snapshot: Snapshot | undefined;
  if (raw.state !== undefined) {
    if (raw.stateEncoding === undefined || raw.stateVersion === undefined) {
      return corrupt(
        `state needs stateEncoding and stateVersion (${[
          raw.stateEncoding === undefined ? 'stateEncoding' : '',
          raw.stateVersion === undefined ? 'stateVersion' : '',
        ]
          .filter((name) => name !== '')
          .join(', ')} missing)`,
        'InvalidSnapshot',
      );
    }
    const state = decodePayload(raw.state, raw.stateEncoding.S);
    if (state.isErr()) return corrupt(`state: ${state.error}`, 'InvalidSnapshot');
    snapshot = { version, state: state.value, stateVersion: integer(raw.stateVersion) };
  }

  let pending: Commit | undefined;
  if (raw.pending !== undefined) {
    if (raw.pendingEncoding === undefined) return corrupt('pending: pendingEncoding is missing');
    const json = decodePayload(raw.pending, raw.pendingEncoding.S);
    if (json.isErr()) return corrupt(`pending: ${json.error}`);
    const commit = decodeWithIssues(CommitCodec, json.value);
    if (commit.isErr()) return corrupt(`pending commit: ${commit.error}`);
    pending = commit.value as Commit;
  }

  const recentCommands: AppliedCommand[] = Object.entries(raw.recentCommands.M)
    .map(([commandId, entry]) => ({
      commandId,
      streamId,
      fromVersion: integer(entry.M.fromVersion),
      toVersion: integer(entry.M.toVersion),
      committedAt: entry.M.committedAt.S,
    }))
    .sort((a, b) => a.toVersion - b.toVersion || a.commandId.localeCompare(b.commandId));

  return ok({
    streamId,
    version,
    ...(snapshot === undefined ? {} : { snapshot }),
    ...(pending === undefined ? {} : { pending }),
    ...(raw.pendingSince === undefined ? {} : { pendingSince: raw.pendingSince.S }),
    ...(raw.lastPosition === undefined ? {} : { lastPosition: raw.lastPosition.S }),
    ...(raw.lastCommitId === undefined ? {} : { lastCommitId: raw.lastCommitId.S }),
    recentCommands,
  });
};

/** The `recentCommands` entry of a commit. */
export const commandEntry = (commit: Commit): AttributeValue => ({
  M: {
    fromVersion: { N: String(commit.fromVersion) },
    toVersion: { N: String(commit.toVersion) },
    committedAt: { S: commit.committedAt },
  },
});

/** Reads only the version of a raw item (for a `ConcurrencyError`'s `actualVersion`). */
export const rawVersion = (
  item: Readonly<Record<string, AttributeValue>> | undefined,
): number | undefined => {
  const text = item?.version?.N;
  if (text === undefined) return undefined;
  const version = Number(text);
  return Number.isSafeInteger(version) ? version : undefined;
};
