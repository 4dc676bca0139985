import type { DomainEvent, EventEnvelope } from './event.js';

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
