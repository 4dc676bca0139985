import type { DomainEvent, EventEnvelope } from './event.js';
import { newEventId } from './event-id.js';
import type { AppendRequest } from './event-store.js';

/**
 * The events one command produced for one stream, stored and published as one unit.
 * `fromVersion`..`toVersion` are the versions of its first and last event.
 */
export interface Commit<E extends DomainEvent = DomainEvent> {
  readonly streamId: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly commandId?: string;
  /** ISO-8601 timestamp of the commit. */
  readonly committedAt: string;
  readonly events: readonly EventEnvelope<E>[];
}

/** What a store remembers of an applied command, so a repeated command appends nothing. */
export interface AppliedCommand {
  readonly commandId: string;
  readonly streamId: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly committedAt: string;
}

/** Describes a commit as `streamId@from..to`, for messages. */
export const describeCommit = (commit: Pick<Commit, 'streamId' | 'fromVersion' | 'toVersion'>) =>
  `${commit.streamId}@${commit.fromVersion}..${commit.toVersion}`;

/**
 * Builds the commit an append request makes at `version` (the stream's version before it):
 * 1-based versions after it, an id for each event that has none, the request's metadata merged
 * under each event's own, and the command id on the commit and every event. Stores use it so that
 * every store writes the same envelopes.
 *
 * @example
 * ```ts
 * const commit = buildCommit({ streamId: 'cart-1', expectedVersion: 2, events }, 2, new Date().toISOString());
 * commit.fromVersion; // 3
 * ```
 */
export const buildCommit = (
  request: AppendRequest,
  version: number,
  committedAt: string,
): Commit => {
  const commandId = request.options?.commandId;
  const shared = request.options?.metadata ?? {};
  const events = request.events.map((event, index) => ({
    type: event.type,
    data: event.data,
    schemaVersion: event.schemaVersion,
    streamId: request.streamId,
    version: version + index + 1,
    eventId: event.eventId ?? newEventId(),
    occurredAt: committedAt,
    metadata: {
      ...shared,
      ...event.metadata,
      ...(commandId === undefined ? {} : { commandId }),
    },
  }));
  return {
    streamId: request.streamId,
    fromVersion: version + 1,
    toVersion: version + events.length,
    ...(commandId === undefined ? {} : { commandId }),
    committedAt,
    events,
  };
};
