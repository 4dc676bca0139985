// Test support: event types with an upcaster, and commits built the way the event store builds them.
import { type Commit, defineEvent, defineUpcasters, type RawEventEnvelope } from '@tributary/core';
import * as t from 'io-ts';

/** At schema v2; v1 data `{ n }` is upcast to `{ n, unit: 'each' }`. */
export const Counted = defineEvent('Counted', t.type({ n: t.number, unit: t.string }), {
  schemaVersion: 2,
});
export const Renamed = defineEvent('Renamed', t.type({ name: t.string }));
export const countedUpcasters = defineUpcasters(Counted, {
  1: (data) => ({ ...(data as object), unit: 'each' }),
});
export const eventTypes = [Counted, Renamed] as const;

export interface RawEvent {
  readonly type: string;
  readonly data: unknown;
  readonly schemaVersion?: number;
}

/** A commit of `events` to `streamId` starting at `fromVersion`. */
export const commitOf = (
  streamId: string,
  fromVersion: number,
  events: readonly RawEvent[] = [
    { type: 'Counted', data: { n: fromVersion, unit: 'each' }, schemaVersion: 2 },
  ],
): Commit => {
  const committedAt = new Date(Date.UTC(2026, 10, 1, 0, 0, fromVersion)).toISOString();
  const envelopes: RawEventEnvelope[] = events.map((event, index) => ({
    type: event.type,
    data: event.data,
    schemaVersion: event.schemaVersion ?? 1,
    streamId,
    version: fromVersion + index,
    eventId: `${streamId}-${fromVersion + index}`,
    occurredAt: committedAt,
    metadata: {},
  }));
  return {
    streamId,
    fromVersion,
    toVersion: fromVersion + events.length - 1,
    committedAt,
    events: envelopes,
  };
};

/** A commit of `count` Counted events (v2) to `streamId` starting at `fromVersion`. */
export const countedCommit = (streamId: string, fromVersion: number, count = 1): Commit =>
  commitOf(
    streamId,
    fromVersion,
    Array.from({ length: count }, (_, index) => ({
      type: 'Counted',
      data: { n: fromVersion + index, unit: 'each' },
      schemaVersion: 2,
    })),
  );
